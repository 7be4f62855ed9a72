package dev.costwise.gateway;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A UTC clock that tests set or move by hand; thread-safe, so a running gateway can read it. */
public final class MovableClock extends Clock {
    private final AtomicReference<Instant> now;

    /** @param start the first instant it tells */
    public MovableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** @param instant what it tells from now on */
    public void set(Instant instant) {
        now.set(instant);
    }

    /** @param d how far to move it forward */
    public void advance(Duration d) {
        now.updateAndGet(i -> i.plus(d));
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
        return now.get();
    }
}
