package dev.costwise.examples.realworld;

import dev.costwise.core.Money;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.composition.Router;
import dev.costwise.core.recovery.Backoff;
import dev.costwise.core.recovery.Retry;
import dev.costwise.core.recovery.RetryConfig;
import dev.costwise.llm.cache.CachedChatModel;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.resilience.ProviderFailureClassifier;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The spec's Example 1, an AI code assistant with 50K completions a day and a $200/month budget: simple completions
 * (or code context under 100 characters) go to a local CodeLlama, the rest to GPT-4o-mini behind a 30-minute cache,
 * all wrapped in a retry (2 retries, exponential backoff). Runs one simulated day and prints routes, cache hit rate,
 * API calls and the cost per day and per month against the budget. The spec's "$9/month" is the cost of a day.
 *
 * <p>Run: {@code mvn -q -pl examples -am package -DskipTests -Prun-example
 * -Dexample.main=dev.costwise.examples.realworld.CodeAssistant} (optional argument: requests per day).
 */
public final class CodeAssistant {

    private static final Money MONTHLY_BUDGET = Money.ofDollars(200);

    private CodeAssistant() {}

    /** @param args optional: requests per day (default 50,000) */
    public static void main(String[] args) {
        int perDay = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        RealWorldModels.banner("Example 1: AI code assistant (" + perDay + " requests/day, budget $200/month)");
        RealWorldModels.SimulatedDay day = new RealWorldModels.SimulatedDay();
        ChatModel llama = RealWorldModels.model("codellama:7b", 1, 120);
        ChatModel mini = RealWorldModels.model("gpt-4o-mini", 2, 1000);
        CachedChatModel cloud = CachedChatModel.builder("code-cache", mini)
                .ttl(Duration.ofMinutes(30)).maximumSize(5000).ticker(day).build();

        Router<ChatRequest, ChatResponse> router = Router.<ChatRequest, ChatResponse>builder("code-router")
                .route("local", (req, ctx) -> llama.execute(req.withModel("codellama:7b"), ctx))
                .route("cloud", (req, ctx) -> cloud.execute(req.withModel("gpt-4o-mini"), ctx))
                .selector((req, ctx) -> "simple".equals(req.metadata().get("complexity"))
                        || req.lastUserText().length() < 100 ? "local" : "cloud")
                .defaultRoute("local")
                .build();
        Primitive<ChatRequest, ChatResponse> workflow = Retry.of("code-retry", RetryConfig.builder().maxRetries(2)
                .backoff(Backoff.exponential()).initialDelay(Duration.ofMillis(200))
                .classifier(ProviderFailureClassifier.ofDefaults()).build()).wrap(router);

        RealWorldModels.Zipf simpleContexts = new RealWorldModels.Zipf(perDay / 4, 1.0, 7);
        RealWorldModels.Zipf complexContexts = new RealWorldModels.Zipf(Math.max(1, perDay / 25), 0.8, 9);
        SplittableRandom random = new SplittableRandom(11);
        Money spent = Money.ZERO;
        long calls = 0;
        Duration step = Duration.ofDays(1).dividedBy(perDay);
        for (int i = 0; i < perDay; i++) {
            boolean simple = random.nextDouble() < 0.6;
            int rank = simple ? simpleContexts.next() : complexContexts.next();
            ChatRequest request = ChatRequest.builder("gpt-4o-mini")
                    .addMessage(dev.costwise.llm.chat.Message.user(codeContext(rank, simple)))
                    .maxTokens(1000).metadata(Map.of("complexity", simple ? "simple" : "complex")).build();
            WorkflowContext ctx = WorkflowContext.builder("code-completion").clock(day).build();
            workflow.execute(request, ctx);
            for (CostRecord r : CostRecords.of(ctx)) {
                spent = spent.plus(r.cost());
                if (r.usedModel().equals("gpt-4o-mini") && r.outcome() != Outcome.CACHE_HIT) {
                    calls++;
                }
            }
            day.advance(step);
        }
        Money perMonth = spent.times(30);
        System.out.printf("routes:               %s%n", router.routeCounts());
        System.out.printf("cloud cache hit rate: %.1f%% (%d hits)%n", 100 * cloud.stats().hitRate(),
                cloud.stats().hitCount());
        System.out.printf("GPT-4o-mini calls:    %,d%n", calls);
        System.out.printf("cost per day:         %s%n", RealWorldModels.dollars(spent));
        System.out.printf("cost per month (x30): %s%n", RealWorldModels.dollars(perMonth));
        System.out.printf("budget per month:     %s -> %s%n", MONTHLY_BUDGET.format(),
                perMonth.compareTo(MONTHLY_BUDGET) <= 0 ? "within budget"
                        : "OVER budget by " + RealWorldModels.dollars(perMonth.minus(MONTHLY_BUDGET)));
    }

    /** A code context: simple completions are short lines, complex ones a function body of about 1,000 tokens. */
    static String codeContext(int rank, boolean simple) {
        if (simple) {
            return "int x" + rank + " = ";
        }
        StringBuilder sb = new StringBuilder("// file Service" + rank + ".java\n");
        while (sb.length() < 3600) {
            sb.append("    long total").append(rank).append(" = items.stream().mapToLong(Item::price).sum();\n");
        }
        return sb.toString();
    }
}
