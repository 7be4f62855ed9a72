package dev.costwise.examples.realworld;

import dev.costwise.core.Money;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.Backoff;
import dev.costwise.core.recovery.Retry;
import dev.costwise.core.recovery.RetryConfig;
import dev.costwise.core.recovery.Timeout;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.llm.ratelimit.RateLimitAwareRouter;
import dev.costwise.llm.ratelimit.RateLimits;
import dev.costwise.llm.ratelimit.UsageSnapshot;
import dev.costwise.llm.ratelimit.UsageTracker;
import dev.costwise.llm.resilience.ProviderFailureClassifier;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The spec's Example 3: protection against Gemini silently downgrading from Pro to Flash. Gemini 2.5 Pro is wrapped in
 * a 30-second timeout and a retry (3 retries, exponential from 2 s); a {@link UsageTracker} counts requests and tokens
 * per hour against the spec's approximate limits (1,000 requests/hour, 500,000 tokens/hour) and a
 * {@link RateLimitAwareRouter} moves traffic to Gemini 2.5 Flash when usage reaches 80% of a limit, before the
 * provider would downgrade on its own. Runs two simulated hours of 1,200 requests each and prints where requests went,
 * when it switched, hourly usage and costs.
 *
 * <p>Run: {@code mvn -q -pl examples -am package -DskipTests -Prun-example
 * -Dexample.main=dev.costwise.examples.realworld.GeminiDowngradeGuard}.
 */
public final class GeminiDowngradeGuard {

    private GeminiDowngradeGuard() {}

    /** @param args ignored */
    public static void main(String[] args) {
        RealWorldModels.banner("Example 3: Gemini Pro -> Flash downgrade protection",
                "limits (spec, approximate): 1,000 requests/hour, 500,000 tokens/hour; switch at 80%");
        RealWorldModels.SimulatedDay clock = new RealWorldModels.SimulatedDay();
        UsageTracker tracker = UsageTracker.builder().clock(clock).catalog(RealWorldModels.CATALOG)
                .modelLimits("gemini-2.5-pro", RateLimits.NONE.withRequestsPerHour(1_000)
                        .withTokensPerHour(500_000))
                .throttleShare(0.8).build();

        ChatModel pro = guarded(RealWorldModels.model("gemini-2.5-pro", 1, 300));
        ChatModel flash = RealWorldModels.model("gemini-2.5-flash", 2, 300);
        RateLimitAwareRouter router = RateLimitAwareRouter.of("gemini", tracker,
                Optional.of(JtokkitTokenEstimator.of(RealWorldModels.CATALOG)), pro, flash);

        for (int hour = 0; hour < 2; hour++) {
            Map<String, Long> byModel = new TreeMap<>();
            Money spent = Money.ZERO;
            int firstFlash = -1;
            for (int i = 0; i < 1_200; i++) {
                WorkflowContext ctx = WorkflowContext.builder("gemini-monitor").clock(clock).build();
                ChatResponse response = router.execute(ChatRequest.builder("gemini-2.5-pro")
                        .addMessage(dev.costwise.llm.chat.Message.user("Summarise report " + hour + "-" + i
                                + ": revenue grew while costs fell in three regions.")).maxTokens(400).build(), ctx);
                byModel.merge(response.model(), 1L, Long::sum);
                if (firstFlash < 0 && response.model().equals("gemini-2.5-flash")) {
                    firstFlash = i;
                }
                for (CostRecord r : CostRecords.of(ctx)) {
                    spent = spent.plus(r.cost());
                }
                clock.advance(Duration.ofSeconds(3));
            }
            UsageSnapshot usage = tracker.usage("gemini-2.5-pro");
            System.out.printf("hour %d: %s; switched to Flash at request %s; cost %s%n", hour + 1, byModel,
                    firstFlash < 0 ? "never" : Integer.toString(firstFlash + 1), RealWorldModels.dollars(spent));
            System.out.printf("        Gemini Pro in the last hour: %,d requests, %,d tokens (limits 1,000 and 500,000;"
                    + " the window slides, so hour 2 starts near the limit)%n", usage.requestsLastHour(),
                    usage.tokensLastHour());
        }
    }

    /** Gemini Pro behind a 30 s timeout and 3 retries with exponential backoff from 2 s. */
    private static ChatModel guarded(ChatModel pro) {
        Primitive<ChatRequest, ChatResponse> timed = Timeout.of("gemini-timeout", Duration.ofSeconds(30)).wrap(pro);
        Primitive<ChatRequest, ChatResponse> retried = Retry.of("gemini-retry", RetryConfig.builder().maxRetries(3)
                .backoff(Backoff.exponential()).initialDelay(Duration.ofSeconds(2))
                .classifier(ProviderFailureClassifier.ofDefaults()).build()).wrap(timed);
        return new ChatModel() {
            @Override
            public String name() {
                return pro.name();
            }

            @Override
            public String provider() {
                return pro.provider();
            }

            @Override
            public ChatResponse execute(ChatRequest request, WorkflowContext context) {
                return retried.execute(request, context);
            }

            @Override
            public ChatStream stream(ChatRequest request, WorkflowContext context) {
                return pro.stream(request, context);
            }
        };
    }
}
