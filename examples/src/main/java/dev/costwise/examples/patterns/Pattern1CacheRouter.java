package dev.costwise.examples.patterns;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.composition.Router;
import dev.costwise.llm.cache.CachedChatModel;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The spec's Pattern 1: cache + router over gpt-4o, gpt-4o-mini and a local Llama.
 *
 * <p>Short prompts go to the local model (free), medium ones to a cached gpt-4o-mini, long ones to a cached gpt-4o.
 * Prints each route's share, the cache hit rate, and the exact cost against sending everything to gpt-4o.
 */
public final class Pattern1CacheRouter {

    private Pattern1CacheRouter() {}

    /** @param args ignored */
    public static void main(String[] args) {
        ExampleModels.banner("Pattern 1: Cache + Router");
        ChatModel gpt4o = ExampleModels.sim("gpt-4o", 1);
        ChatModel mini = ExampleModels.sim("gpt-4o-mini", 2);
        ChatModel llama = ExampleModels.sim("llama3.1:8b", 3);
        CachedChatModel cachedGpt4o = CachedChatModel.builder("cached_gpt4o", gpt4o)
                .ttl(Duration.ofHours(1)).maximumSize(1000).build();
        CachedChatModel cachedMini = CachedChatModel.builder("cached_gpt4o_mini", mini)
                .ttl(Duration.ofHours(1)).maximumSize(2000).build();

        // Route on prompt length, as the spec does; each route sends the request to its own model.
        Router<ChatRequest, ChatResponse> router = Router.<ChatRequest, ChatResponse>builder("router")
                .route("local", (req, ctx) -> llama.execute(req.withModel("llama3.1:8b"), ctx))
                .route("mini", (req, ctx) -> cachedMini.execute(req.withModel("gpt-4o-mini"), ctx))
                .route("premium", (req, ctx) -> cachedGpt4o.execute(req.withModel("gpt-4o"), ctx))
                .selector((req, ctx) -> {
                    int length = req.lastUserText().length();
                    return length < 100 ? "local" : length < 500 ? "mini" : "premium";
                })
                .defaultRoute("mini")
                .build();

        // "Test your routing logic" before running anything.
        WorkflowContext probe = WorkflowContext.of("routing-test");
        System.out.printf("select(\"short\")      -> %s%n", router.select(ChatRequest.of("gpt-4o", "short"), probe));
        System.out.printf("select(300 chars)    -> %s%n",
                router.select(ChatRequest.of("gpt-4o", "a".repeat(300)), probe));
        System.out.printf("select(1000 chars)   -> %s%n%n",
                router.select(ChatRequest.of("gpt-4o", "a".repeat(1000)), probe));

        List<ChatRequest> traffic = traffic(1000, 42);
        Money paid = Money.ZERO;
        Money baseline = Money.ZERO;
        for (ChatRequest request : traffic) {
            WorkflowContext ctx = WorkflowContext.of("cost-optimized-workflow");
            router.execute(request, ctx);
            for (CostRecord r : CostRecords.of(ctx)) {
                paid = paid.plus(r.cost());
            }
            // What gpt-4o would have cost for the same prompt, uncached.
            WorkflowContext base = WorkflowContext.of("baseline");
            baseline = baseline.plus(gpt4o.execute(request.withModel("gpt-4o"), base).cost());
        }
        System.out.printf("requests:            %d%n", traffic.size());
        System.out.printf("route counts:        %s%n", router.routeCounts());
        System.out.printf("cache hit rate:      gpt-4o %.1f%%, gpt-4o-mini %.1f%%%n",
                100 * cachedGpt4o.stats().hitRate(), 100 * cachedMini.stats().hitRate());
        System.out.printf("saved by cache hits: %s%n",
                cachedGpt4o.stats().moneySaved().plus(cachedMini.stats().moneySaved()).format());
        System.out.printf("cost, all gpt-4o:    %s%n", baseline.format());
        System.out.printf("cost, cache+router:  %s%n", paid.format());
        System.out.printf("savings:             %.1f%%%n", 100 * (1 - paid.ratioOf(baseline)));
    }

    /** Repetitive traffic: a pool of prompts of three sizes, drawn with a skew so some repeat. */
    static List<ChatRequest> traffic(int count, long seed) {
        Random random = new Random(seed);
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            int size = i % 10 < 2 ? 60 : i % 10 < 6 ? 300 : 800;
            pool.add(("Question " + i + ": " + "please explain the trade-offs in detail ").repeat(size / 40 + 1)
                    .substring(0, size));
        }
        List<ChatRequest> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = (int) Math.min(pool.size() - 1, Math.abs(random.nextGaussian()) * pool.size() / 2.5);
            out.add(ChatRequest.of("gpt-4o", pool.get(index)));
        }
        return out;
    }
}
