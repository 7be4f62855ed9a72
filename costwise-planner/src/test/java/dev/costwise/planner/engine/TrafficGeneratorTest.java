package dev.costwise.planner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.costwise.planner.scenario.CacheSpec;
import dev.costwise.planner.scenario.Repetition;
import dev.costwise.planner.scenario.TokenDistribution;
import dev.costwise.planner.scenario.TrafficSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TrafficGeneratorTest {

    private static TrafficSpec traffic(Repetition repetition) {
        return new TrafficSpec(7_000, new TokenDistribution.Fixed(100), new TokenDistribution.Fixed(10), repetition,
                Map.of("a", 2.0, "b", 4.0, "c", 1.0));
    }

    @Test
    void givenClassWeights_whenGenerated_thenEachClassGetsItsShareToWithinOneRequest() {
        List<SyntheticRequest> day = new TrafficGenerator(traffic(Repetition.none()), 7, java.util.Optional.empty())
                .generate();

        Map<String, Long> counts = day.stream().collect(Collectors.groupingBy(SyntheticRequest::className,
                Collectors.counting()));
        assertThat(counts.get("a")).isBetween(1999L, 2001L);
        assertThat(counts.get("b")).isBetween(3999L, 4001L);
        assertThat(counts.get("c")).isBetween(999L, 1001L);
        assertThat(day.stream().map(SyntheticRequest::promptId).distinct().count()).isEqualTo(7_000);
        assertThat(day.getLast().atMillis()).isLessThan(86_400_000L);
    }

    @Test
    void givenTargetHitRate_whenGenerated_thenTheCacheReachesItOnTheGeneratedDay() {
        CacheSpec cache = new CacheSpec(Duration.ofHours(1), 10_000);
        List<SyntheticRequest> day = new TrafficGenerator(traffic(new Repetition(1.0, OptionalLong.empty(),
                OptionalDouble.of(0.4), true)), 7, java.util.Optional.of(cache)).generate();

        SimCache sim = new SimCache(cache.ttl().toMillis(), cache.maxSize());
        long hits = 0;
        for (SyntheticRequest r : day) {
            if (sim.hit(r.promptId(), r.atMillis())) {
                hits++;
            } else {
                sim.put(r.promptId(), r.atMillis());
            }
        }
        assertThat((double) hits / day.size()).isCloseTo(0.4, within(0.005));
    }

    @Test
    void givenSameSeed_whenGeneratedTwice_thenSameDay_andAnotherSeedDiffers() {
        TrafficSpec t = traffic(new Repetition(1.1, OptionalLong.of(500), OptionalDouble.empty(), false));
        assertThat(new TrafficGenerator(t, 1, java.util.Optional.empty()).generate())
                .isEqualTo(new TrafficGenerator(t, 1, java.util.Optional.empty()).generate())
                .isNotEqualTo(new TrafficGenerator(t, 2, java.util.Optional.empty()).generate());
    }

    @Test
    void givenTtl_whenEntryIsOlder_thenCacheMissesAndLruEvictsBeyondSize() {
        SimCache cache = new SimCache(1_000, 2);
        cache.put("x", 0);
        assertThat(cache.hit("x", 999)).isTrue();
        assertThat(cache.hit("x", 1_000)).isFalse();
        cache.put("a", 0);
        cache.put("b", 0);
        cache.hit("a", 1);
        cache.put("c", 1);
        assertThat(cache.hit("b", 2)).isFalse();
        assertThat(cache.hit("a", 2)).isTrue();
    }
}
