package dev.costwise.planner.replay;

import java.util.ArrayList;
import java.util.List;

/**
 * An evenly spread sample of at most {@code n} items from a stream whose length is not known in advance, holding at
 * most {@code 2n} items: it keeps every {@code stride}-th item offered, and when {@code 2n} are held, drops every
 * other one and doubles the stride. The {@code n} picked are spread evenly over the kept ones, so over fewer than
 * {@code 2n} items they are exactly the items at {@code k × size / n}; over more, the items at multiples of the
 * stride nearest to those. Deterministic: the same stream gives the same sample. Not thread-safe.
 *
 * @param <T> the items
 */
final class SpreadSample<T> {

    private final int n;
    private final List<T> kept = new ArrayList<>();
    private long stride = 1;
    private long offered;

    /**
     * @param n the most items picked
     * @throws IllegalArgumentException if {@code n} is negative
     */
    SpreadSample(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        this.n = n;
    }

    /** @param item the next item of the stream */
    void offer(T item) {
        if (n > 0 && offered++ % stride == 0) {
            kept.add(item);
            if (kept.size() == 2L * n) { // keep those at even positions: multiples of the doubled stride
                for (int i = 0; i < n; i++) {
                    kept.set(i, kept.get(2 * i));
                }
                kept.subList(n, kept.size()).clear();
                stride *= 2;
            }
        }
    }

    /** @return up to {@code n} items, spread evenly over the stream, in stream order */
    List<T> picks() {
        int size = kept.size();
        int count = Math.min(n, size);
        List<T> picks = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            picks.add(kept.get((int) ((long) k * size / count)));
        }
        return picks;
    }
}
