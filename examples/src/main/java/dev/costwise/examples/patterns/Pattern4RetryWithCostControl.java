package dev.costwise.examples.patterns;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.AttemptBudget;
import dev.costwise.core.recovery.Backoff;
import dev.costwise.core.recovery.Retry;
import dev.costwise.core.recovery.RetryBudget;
import dev.costwise.core.recovery.RetryConfig;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.resilience.ProviderFailureClassifier;
import dev.costwise.llm.resilience.RetryingChatModel;
import dev.costwise.llm.sim.SimulatedChatModel;
import dev.costwise.llm.sim.SimulatedFailure;
import java.time.Duration;

/**
 * The spec's Pattern 4: retry only transient failures, with exponential backoff, a cap on retries, a retry budget so
 * an outage does not multiply traffic, and every attempt's cost on the record (wasted spend included); then the same
 * retry around streams.
 */
public final class Pattern4RetryWithCostControl {

    private Pattern4RetryWithCostControl() {}

    /** @param args ignored */
    public static void main(String[] args) {
        ExampleModels.banner("Pattern 4: Retry with Cost Control");
        // 10% of calls fail: timeouts and 503s are transient, a few are caller mistakes (never retried).
        // A simulated timeout "waits" 30 s on a sleeper that only pretends, so the example finishes at once.
        ChatModel gpt4o = SimulatedChatModel.builder(ExampleModels.CATALOG, "gpt-4o").seed(41).sleeper(d -> { })
                .failure(SimulatedFailure.TIMEOUT, 0.05).failure(SimulatedFailure.OVERLOADED, 0.04)
                .failure(SimulatedFailure.CONTENT_FILTERED, 0.01).build();
        // The example does not wait for real: backoff delays are added up instead of slept.
        long[] sleptMillis = {0};
        Retry retry = Retry.of("retry-workflow", RetryConfig.builder()
                .maxRetries(3)
                .backoff(Backoff.exponential())
                .initialDelay(Duration.ofSeconds(1))
                .maxDelay(Duration.ofSeconds(30))
                .classifier(ProviderFailureClassifier.ofDefaults())
                .budget(RetryBudget.builder().ratio(0.2).minRetriesPerSecond(10).build())
                .sleeper(d -> sleptMillis[0] += d.toMillis())
                .build());
        var workflow = retry.<ChatRequest, ChatResponse>wrap(gpt4o);

        int ok = 0;
        int failed = 0;
        int retried = 0;
        Money paid = Money.ZERO;
        Money wasted = Money.ZERO;
        for (int i = 0; i < 1000; i++) {
            WorkflowContext ctx = WorkflowContext.of("retry-workflow");
            AttemptBudget.install(ctx, 4);
            try {
                workflow.execute(ChatRequest.of("gpt-4o", "Request #" + i), ctx);
                ok++;
            } catch (ProviderException e) {
                failed++;
            }
            retried += ctx.records("retry").size();
            for (CostRecord r : CostRecords.of(ctx)) {
                paid = paid.plus(r.cost());
                wasted = r.isWasted() ? wasted.plus(r.cost()) : wasted;
            }
        }
        System.out.printf("succeeded: %d, failed for good: %d, retries: %d%n", ok, failed, retried);
        System.out.printf("backoff waited (simulated): %.1f s in total%n", sleptMillis[0] / 1000.0);
        System.out.printf("cost: %s, of which wasted on failed attempts: %s%n", paid.format(), wasted.format());
        streams(retry);
    }

    /**
     * The same retry around streams, read as a chat UI reads them: a stream is retried until its first chunk; a break
     * after it reaches the reader (who has shown those chunks) instead of a second answer being spliced in.
     */
    private static void streams(Retry retry) {
        ChatModel gpt4o = RetryingChatModel.of(retry, SimulatedChatModel.builder(ExampleModels.CATALOG, "gpt-4o")
                .seed(43).sleeper(d -> { }).failure(SimulatedFailure.OVERLOADED, 0.1).midStreamFailureRate(0.05)
                .build());
        int whole = 0;
        int broken = 0;
        int failed = 0;
        int retried = 0;
        for (int i = 0; i < 100; i++) {
            WorkflowContext ctx = WorkflowContext.of("retry-workflow");
            int chunks = 0;
            try (ChatStream stream = gpt4o.stream(ChatRequest.of("gpt-4o", "Stream #" + i), ctx)) {
                while (stream.hasNext()) {
                    stream.next();
                    chunks++;
                }
                whole++;
            } catch (ProviderException e) {
                if (chunks > 0) {
                    broken++;
                } else {
                    failed++;
                }
            }
            retried += ctx.records("retry").size();
        }
        System.out.printf("streams: %d whole, %d broke after their first chunk, %d failed before it, retries: %d%n",
                whole, broken, failed, retried);
    }
}
