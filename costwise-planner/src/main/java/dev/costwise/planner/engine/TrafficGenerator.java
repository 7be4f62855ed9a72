package dev.costwise.planner.engine;

import dev.costwise.planner.scenario.CacheSpec;
import dev.costwise.planner.scenario.Repetition;
import dev.costwise.planner.scenario.TrafficSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Generates one day of synthetic traffic, deterministically from a seed.
 *
 * <ul>
 *   <li>Requests arrive evenly over the day.</li>
 *   <li>Each request's class follows a golden-ratio (low-discrepancy) sequence, so every class gets its share of
 *       requests to within one request, spread evenly over the day.</li>
 *   <li>Each class has its own pool of distinct prompts with Zipf popularity. Ranks are drawn by stratified
 *       inverse-CDF sampling (or independently, if the scenario asks) and shuffled, so the day holds the expected
 *       number of repeats without sampling noise.</li>
 *   <li>When the scenario gives a target cache hit rate instead of a pool size, each class's pool size is calibrated
 *       by bisection so the given cache (TTL, size) reaches that hit rate on this very sequence.</li>
 * </ul>
 */
public final class TrafficGenerator {

    private static final double GOLDEN = 0.6180339887498949;
    private static final long DAY_MILLIS = 86_400_000L;

    private final TrafficSpec traffic;
    private final long seed;
    private final Optional<CacheSpec> calibrationCache;

    /**
     * @param traffic the traffic
     * @param seed the seed
     * @param calibrationCache the cache a target hit rate refers to; empty means unbounded with no expiry
     */
    public TrafficGenerator(TrafficSpec traffic, long seed, Optional<CacheSpec> calibrationCache) {
        this.traffic = traffic;
        this.seed = seed;
        this.calibrationCache = calibrationCache;
    }

    /** @return the day's requests, in arrival order */
    public List<SyntheticRequest> generate() {
        int n = Math.toIntExact(traffic.requestsPerDay());
        String[] classes = traffic.classes().keySet().toArray(String[]::new);
        double[] cumulative = new double[classes.length];
        double c = 0;
        int k = 0;
        for (Map.Entry<String, Double> e : traffic.classes().entrySet()) {
            c += e.getValue();
            cumulative[k++] = c;
        }
        double offset = new SplittableRandom(seed).nextDouble();
        int[] classOf = new int[n];
        List<List<Integer>> indicesByClass = new ArrayList<>();
        for (int i = 0; i < classes.length; i++) {
            indicesByClass.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            double u = (offset + i * GOLDEN) % 1.0;
            int cls = 0;
            while (cls < classes.length - 1 && u >= cumulative[cls]) {
                cls++;
            }
            classOf[i] = cls;
            indicesByClass.get(cls).add(i);
        }
        SyntheticRequest[] out = new SyntheticRequest[n];
        for (int cls = 0; cls < classes.length; cls++) {
            List<Integer> indices = indicesByClass.get(cls);
            if (indices.isEmpty()) {
                continue;
            }
            long[] times = indices.stream().mapToLong(this::timeOfIndex).toArray();
            double share = traffic.classes().get(classes[cls]);
            int[] ranks = ranksFor(cls, times, share);
            for (int j = 0; j < indices.size(); j++) {
                int index = indices.get(j);
                long tokens = traffic.promptTokens().sample(new SplittableRandom(mix(seed, cls, ranks[j])));
                out[index] = new SyntheticRequest(index, times[j], classes[cls], ranks[j], tokens);
            }
        }
        return Arrays.asList(out);
    }

    private long timeOfIndex(int i) {
        return i * DAY_MILLIS / traffic.requestsPerDay();
    }

    private int[] ranksFor(int cls, long[] times, double share) {
        int n = times.length;
        Repetition rep = traffic.repetition();
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (cls + 1)));
        int[] permutation = permutation(n, random);
        double offset = random.nextDouble();
        if (rep.targetHitRate().isPresent() && rep.targetHitRate().getAsDouble() == 0) {
            int[] unique = new int[n];
            for (int j = 0; j < n; j++) {
                unique[j] = j + 1;
            }
            return unique;
        }
        long maxSize = calibrationCache.map(CacheSpec::maxSize).orElse(Long.MAX_VALUE);
        long classMaxSize = Math.max(1, Math.round(maxSize * share));
        if (rep.poolSize().isPresent()) {
            long pool = Math.max(1, Math.round(rep.poolSize().getAsLong() * share));
            return draw(new ZipfPool(pool, rep.s()), n, permutation, offset, rep.stratified(), random.split());
        }
        double target = rep.targetHitRate().getAsDouble();
        long seedOfDraws = random.nextLong();
        long lo = 1;
        long hi = Math.max(2, n / 4);
        while (hi < 64L * n && hitRate(draw(new ZipfPool(hi, rep.s()), n, permutation, offset, rep.stratified(),
                new SplittableRandom(seedOfDraws)), times, classMaxSize) > target) {
            lo = hi;
            hi *= 2;
        }
        int[] best = null;
        double bestGap = Double.MAX_VALUE;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            int[] ranks = draw(new ZipfPool(mid, rep.s()), n, permutation, offset, rep.stratified(),
                    new SplittableRandom(seedOfDraws));
            double hitRate = hitRate(ranks, times, classMaxSize);
            double gap = Math.abs(hitRate - target);
            if (gap < bestGap) {
                bestGap = gap;
                best = ranks;
            }
            if (hitRate > target) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best;
    }

    private static int[] draw(ZipfPool pool, int n, int[] permutation, double offset, boolean stratified,
            SplittableRandom random) {
        int[] ranks = new int[n];
        for (int j = 0; j < n; j++) {
            double u = stratified ? (j + offset) / n : random.nextDouble();
            ranks[permutation[j]] = pool.rankAt(u);
        }
        return ranks;
    }

    private double hitRate(int[] ranks, long[] times, long maxSize) {
        long ttl = calibrationCache.map(c -> c.ttl().toMillis()).orElse(Long.MAX_VALUE / 4);
        SimCache cache = new SimCache(ttl, maxSize);
        int hits = 0;
        for (int j = 0; j < ranks.length; j++) {
            String key = Integer.toString(ranks[j]);
            if (cache.hit(key, times[j])) {
                hits++;
            } else {
                cache.put(key, times[j]);
            }
        }
        return (double) hits / ranks.length;
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    static long mix(long seed, long a, long b) {
        long h = seed ^ (a * 0xBF58476D1CE4E5B9L) ^ (b * 0x94D049BB133111EBL);
        h ^= h >>> 31;
        return h * 0x9E3779B97F4A7C15L;
    }
}
