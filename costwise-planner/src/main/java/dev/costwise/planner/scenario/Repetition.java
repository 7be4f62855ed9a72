package dev.costwise.planner.scenario;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * How often prompts repeat: each traffic class draws its prompts from its own pool of distinct prompts with Zipf
 * popularity (rank {@code k} has weight {@code 1/k^s}). The pool size is either given or calibrated so that the
 * pipeline's cache reaches {@code targetHitRate} on the generated day (the spec states hit rates, not pools).
 *
 * @param s the Zipf exponent, not negative (0 is uniform)
 * @param poolSize distinct prompts over all classes (split by class share), if given
 * @param targetHitRate the cache hit rate to calibrate the pool size for, in [0, 1), if given
 * @param stratified {@code true} (default) draws ranks by stratified inverse-CDF sampling, so a day has the expected
 *     counts without sampling noise; {@code false} draws independently
 */
public record Repetition(double s, OptionalLong poolSize, OptionalDouble targetHitRate, boolean stratified) {

    public Repetition {
        ScenarioException.require(s >= 0, "zipf s must be >= 0, was %s", s);
        ScenarioException.require(poolSize.isPresent() != targetHitRate.isPresent(),
                "zipf needs exactly one of poolSize or targetHitRate");
        poolSize.ifPresent(p -> ScenarioException.require(p >= 1, "zipf poolSize must be >= 1, was %s", p));
        targetHitRate.ifPresent(h -> ScenarioException.require(h >= 0 && h < 1,
                "zipf targetHitRate must be in [0, 1), was %s", h));
    }

    /** @return no repetition: every request has a distinct prompt */
    public static Repetition none() {
        return new Repetition(0, OptionalLong.empty(), OptionalDouble.of(0), true);
    }
}
