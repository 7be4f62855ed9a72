package dev.costwise.examples.realworld;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.sim.OutputLength;
import dev.costwise.llm.sim.SimulatedChatModel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SplittableRandom;

/**
 * Where the real-world examples get their models: a real provider when a {@link RealModelFactory} is registered and
 * makes one (its API key is set), else the seeded {@code sim} provider priced from the catalog. Also the simulated
 * day the examples run on: a clock and a cache ticker that advance per request, so TTLs and hourly limits behave as
 * over a real day without waiting.
 */
final class RealWorldModels {

    static final ModelCatalog CATALOG = ModelCatalogs.bundled();

    private RealWorldModels() {}

    /**
     * @param name a catalog model name
     * @param seed the sim's seed
     * @param outputTokens the sim's answer length
     * @return a real model if one can be made, else a simulated one
     */
    static ChatModel model(String name, long seed, long outputTokens) {
        for (RealModelFactory factory : ServiceLoader.load(RealModelFactory.class)) {
            Optional<ChatModel> real = factory.create(name);
            if (real.isPresent()) {
                System.out.println("  " + name + ": real provider " + real.get().provider());
                return real.get();
            }
        }
        return SimulatedChatModel.builder(CATALOG, name).seed(seed).outputLength(OutputLength.fixed(outputTokens))
                .build();
    }

    /** @return the amount rounded to cents, for printing */
    static String dollars(dev.costwise.core.Money m) {
        return dev.costwise.core.Money.of(m.toBigDecimal().setScale(2, java.math.RoundingMode.HALF_EVEN)).format();
    }

    static void banner(String title, String... lines) {
        System.out.println("=".repeat(78));
        System.out.println(title);
        for (String line : lines) {
            System.out.println(line);
        }
        System.out.println("(offline: models are the seeded sim provider priced from the catalog; with a registered"
                + " RealModelFactory and API keys, real providers)");
        System.out.println("=".repeat(78));
    }

    /** Picks ranks 1..pool with Zipf popularity (weight 1/k^s), seeded. */
    static final class Zipf {
        private final double[] cdf;
        private final SplittableRandom random;

        Zipf(int pool, double s, long seed) {
            cdf = new double[pool];
            double sum = 0;
            for (int k = 1; k <= pool; k++) {
                sum += Math.pow(k, -s);
                cdf[k - 1] = sum;
            }
            for (int i = 0; i < pool; i++) {
                cdf[i] /= sum;
            }
            random = new SplittableRandom(seed);
        }

        int next() {
            int i = java.util.Arrays.binarySearch(cdf, random.nextDouble());
            return (i >= 0 ? i : -i - 1) + 1;
        }
    }

    /** A day that advances by a fixed step per request: a {@link Clock} for windows and a {@link Ticker} for TTLs. */
    static final class SimulatedDay extends Clock implements Ticker {
        private final Instant start = Instant.parse("2026-11-27T00:00:00Z");
        private long nanos;

        void advance(Duration step) {
            nanos += step.toNanos();
        }

        @Override
        public long read() {
            return nanos;
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
            return start.plusNanos(nanos);
        }
    }
}
