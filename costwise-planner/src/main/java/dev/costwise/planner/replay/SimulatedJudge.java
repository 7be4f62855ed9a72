package dev.costwise.planner.replay;

import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import java.util.SplittableRandom;

/**
 * The offline judge: simulated answers carry no meaning, so verdicts are drawn, deterministically per request, from
 * the catalog quality tiers of the two models: the same tier or better is {@code same}; each tier below the baseline
 * makes {@code worse} 20 percentage points likelier. The report says the verdicts are simulated.
 */
final class SimulatedJudge implements Judge {

    private final ModelCatalog catalog;
    private final long seed;

    SimulatedJudge(ModelCatalog catalog, long seed) {
        this.catalog = catalog;
        this.seed = seed;
    }

    @Override
    public Verdict compare(ChatRequest request, ChatResponse baseline, ChatResponse candidate) {
        int gap = tier(baseline.model()) - tier(candidate.model());
        if (gap <= 0) {
            return Verdict.SAME;
        }
        double u = new SplittableRandom(seed ^ request.allText().hashCode()).nextDouble();
        return u < 0.2 * gap ? Verdict.WORSE : Verdict.SAME;
    }

    private int tier(String model) {
        return catalog.find(model).map(ModelInfo::tier).orElse(2);
    }

    @Override
    public String describe() {
        return "judge: simulated offline (sim provider; verdicts drawn from catalog quality tiers, not real"
                + " judgements; set provider keys and pass real models for a real judge)";
    }
}
