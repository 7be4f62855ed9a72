package dev.costwise.llm.alert;

import dev.costwise.core.Money;

/**
 * Two counts and a money sum over a sliding window, in 60 time buckets (plus the current one, so the window read
 * spans between one window and one window plus a bucket). Thread-safe.
 */
final class WindowedTally {

    private final long bucketMillis;
    private final long[] epochs;
    private final long[] first;
    private final long[] second;
    private final Money[] money;

    WindowedTally(long windowMillis) {
        this.bucketMillis = Math.max(1, windowMillis / 60);
        int size = 61;
        epochs = new long[size];
        first = new long[size];
        second = new long[size];
        money = new Money[size];
        java.util.Arrays.fill(epochs, Long.MIN_VALUE);
        java.util.Arrays.fill(money, Money.ZERO);
    }

    synchronized void add(long nowMillis, long a, long b, Money m) {
        long bucket = Math.floorDiv(nowMillis, bucketMillis);
        int i = (int) Math.floorMod(bucket, (long) epochs.length);
        if (epochs[i] != bucket) {
            epochs[i] = bucket;
            first[i] = 0;
            second[i] = 0;
            money[i] = Money.ZERO;
        }
        first[i] += a;
        second[i] += b;
        money[i] = money[i].plus(m);
    }

    /** @return {first, second} counts in the window */
    synchronized long[] counts(long nowMillis) {
        long current = Math.floorDiv(nowMillis, bucketMillis);
        long a = 0;
        long b = 0;
        for (int i = 0; i < epochs.length; i++) {
            if (live(i, current)) {
                a += first[i];
                b += second[i];
            }
        }
        return new long[] {a, b};
    }

    synchronized Money money(long nowMillis) {
        long current = Math.floorDiv(nowMillis, bucketMillis);
        Money total = Money.ZERO;
        for (int i = 0; i < epochs.length; i++) {
            if (live(i, current)) {
                total = total.plus(money[i]);
            }
        }
        return total;
    }

    private boolean live(int i, long current) {
        return epochs[i] <= current && epochs[i] > current - epochs.length;
    }
}
