package dev.costwise.redis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock the test moves by hand; thread-safe, so a connection's threads can read it. */
final class MovingClock extends Clock {
    private volatile Instant now;

    MovingClock(Instant start) {
        this.now = start;
    }

    /** @param by how far to move it forward */
    synchronized void advance(Duration by) {
        now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
