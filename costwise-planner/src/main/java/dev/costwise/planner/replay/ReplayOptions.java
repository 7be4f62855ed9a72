package dev.costwise.planner.replay;

import dev.costwise.planner.engine.ModelResolver;
import dev.costwise.planner.engine.ProgressListener;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to replay a trace. Immutable; derive variants with the {@code with…} methods.
 *
 * @param dryRun route only: no model is called, each request's destination and estimated cost are listed
 * @param judgeModel the model that compares sampled answers, if any
 * @param sample how many requests the judge compares (spread evenly over the trace)
 * @param baselineModel the model the judge's baseline answers come from; empty: each request's own model
 * @param assumedOutputTokens answer length for lines without recorded usage and without {@code max_tokens}
 * @param spacing time between requests of a trace without timestamps (for cache TTLs)
 * @param models real models for the judged sample (answers and judge); empty: the {@code sim} provider and a
 *     simulated judge (offline). The pipeline's cost is always planned on the {@code sim} provider with each request's
 *     recorded tokens, so a replay never spends money except on the judged sample.
 * @param seed the sim provider's seed
 * @param progress hears progress
 */
public record ReplayOptions(boolean dryRun, Optional<String> judgeModel, int sample, Optional<String> baselineModel,
        long assumedOutputTokens, Duration spacing, Optional<ModelResolver> models, long seed,
        ProgressListener progress) {

    public ReplayOptions {
        Objects.requireNonNull(judgeModel, "judgeModel");
        if (sample < 0) {
            throw new IllegalArgumentException("sample must be >= 0, was " + sample);
        }
        Objects.requireNonNull(baselineModel, "baselineModel");
        if (assumedOutputTokens < 1) {
            throw new IllegalArgumentException("assumedOutputTokens must be >= 1, was " + assumedOutputTokens);
        }
        Objects.requireNonNull(spacing, "spacing");
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(progress, "progress");
    }

    /** @return no dry run, no judge, 300 assumed output tokens, 1 s spacing, the sim provider, seed 42 */
    public static ReplayOptions defaults() {
        return new ReplayOptions(false, Optional.empty(), 20, Optional.empty(), 300, Duration.ofSeconds(1),
                Optional.empty(), 42, ProgressListener.NONE);
    }

    /**
     * @param value route only
     * @return a copy
     */
    public ReplayOptions withDryRun(boolean value) {
        return new ReplayOptions(value, judgeModel, sample, baselineModel, assumedOutputTokens, spacing, models, seed,
                progress);
    }

    /**
     * @param model the judge
     * @param n how many requests to compare
     * @return a copy
     */
    public ReplayOptions withJudge(String model, int n) {
        return new ReplayOptions(dryRun, Optional.of(model), n, baselineModel, assumedOutputTokens, spacing, models,
                seed, progress);
    }

    /**
     * @param model the baseline model for judged comparisons
     * @return a copy
     */
    public ReplayOptions withBaseline(String model) {
        return new ReplayOptions(dryRun, judgeModel, sample, Optional.of(model), assumedOutputTokens, spacing, models,
                seed, progress);
    }

    /**
     * @param resolver real models to call instead of the sim provider
     * @return a copy
     */
    public ReplayOptions withModels(ModelResolver resolver) {
        return new ReplayOptions(dryRun, judgeModel, sample, baselineModel, assumedOutputTokens, spacing,
                Optional.of(resolver), seed, progress);
    }

    /**
     * @param listener hears progress
     * @return a copy
     */
    public ReplayOptions withProgress(ProgressListener listener) {
        return new ReplayOptions(dryRun, judgeModel, sample, baselineModel, assumedOutputTokens, spacing, models, seed,
                listener);
    }
}
