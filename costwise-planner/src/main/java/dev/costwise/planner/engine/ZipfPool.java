package dev.costwise.planner.engine;

import java.util.Arrays;

/**
 * A pool of {@code size} distinct prompts with Zipf popularity: rank {@code k} (1-based) has weight {@code 1/k^s}.
 * Ranks are drawn by inverse CDF, so a stratified sequence of uniforms gives the expected count of each rank.
 */
final class ZipfPool {

    private final double[] cdf;

    ZipfPool(long size, double s) {
        if (size < 1 || size > 50_000_000) {
            throw new IllegalArgumentException("zipf pool size must be in [1, 50000000], was " + size);
        }
        cdf = new double[(int) size];
        double sum = 0;
        for (int k = 1; k <= size; k++) {
            sum += Math.pow(k, -s);
            cdf[k - 1] = sum;
        }
        for (int i = 0; i < cdf.length; i++) {
            cdf[i] /= sum;
        }
    }

    /**
     * @param u a uniform in [0, 1)
     * @return the 1-based rank whose CDF interval holds {@code u}
     */
    int rankAt(double u) {
        int i = Arrays.binarySearch(cdf, u);
        int index = i >= 0 ? i + 1 : -i - 1;
        return Math.min(index, cdf.length - 1) + 1;
    }

    int size() {
        return cdf.length;
    }
}
