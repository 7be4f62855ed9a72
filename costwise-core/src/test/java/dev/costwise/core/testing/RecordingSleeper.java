package dev.costwise.core.testing;

import dev.costwise.core.Sleeper;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A sleeper that records each delay and advances a fake ticker by it instead of sleeping. */
public final class RecordingSleeper implements Sleeper {
    private final FakeTicker ticker;
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    public RecordingSleeper(FakeTicker ticker) {
        this.ticker = ticker;
    }

    @Override
    public void sleep(Duration duration) {
        sleeps.add(duration);
        ticker.advance(duration);
    }

    public List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }
}
