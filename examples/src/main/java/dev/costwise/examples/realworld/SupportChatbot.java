package dev.costwise.examples.realworld;

import dev.costwise.core.FailureClassifier;
import dev.costwise.core.Money;
import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.composition.Router;
import dev.costwise.core.recovery.Fallback;
import dev.costwise.llm.cache.CachedChatModel;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.resilience.ProviderFailureClassifier;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The spec's Example 2, a customer-support chatbot with 10K conversations a day and a $500/month budget.
 *
 * <ol>
 *   <li>First solution: Claude 3.5 Sonnet behind a 2-hour cache (FAQs repeat), GPT-4o-mini as fallback.</li>
 *   <li>Optimisation: questions with a simple keyword (hours, location, contact, price) go to GPT-4o-mini; the rest
 *       to the cached Claude.</li>
 * </ol>
 *
 * <p>Prints each stage's calls per model, cache hit rate and cost per day and month against the budget. As the
 * planner shows, the optimised bot still costs about $2,000/month, four times its budget.
 *
 * <p>Run: {@code mvn -q -pl examples -am package -DskipTests -Prun-example
 * -Dexample.main=dev.costwise.examples.realworld.SupportChatbot}.
 */
public final class SupportChatbot {

    private static final Money MONTHLY_BUDGET = Money.ofDollars(500);
    private static final List<String> SIMPLE_KEYWORDS = List.of("hours", "location", "contact", "price");
    private static final int PER_DAY = 10_000;

    private SupportChatbot() {}

    /** @param args ignored */
    public static void main(String[] args) {
        RealWorldModels.banner("Example 2: customer support chatbot (10K conversations/day, budget $500/month)");

        RealWorldModels.SimulatedDay day1 = new RealWorldModels.SimulatedDay();
        ChatModel claude = RealWorldModels.model("claude-3-5-sonnet-20241022", 1, 1000);
        ChatModel mini = RealWorldModels.model("gpt-4o-mini", 2, 1000);
        CachedChatModel cachedClaude = cached(claude, day1);
        Primitive<ChatRequest, ChatResponse> first = fallback(cachedClaude, mini);
        run("First solution: cached Claude, GPT-4o-mini fallback", first, cachedClaude, day1);

        RealWorldModels.SimulatedDay day2 = new RealWorldModels.SimulatedDay();
        CachedChatModel cachedClaude2 = cached(claude, day2);
        Router<ChatRequest, ChatResponse> router = Router.<ChatRequest, ChatResponse>builder("support-router")
                .route("simple", (req, ctx) -> mini.execute(req.withModel("gpt-4o-mini"), ctx))
                .route("complex", fallback(cachedClaude2, mini))
                .selector((req, ctx) -> {
                    String q = req.lastUserText().toLowerCase(Locale.ROOT);
                    return SIMPLE_KEYWORDS.stream().anyMatch(q::contains) ? "simple" : "complex";
                })
                .defaultRoute("simple")
                .build();
        run("Optimised: keyword router, simple -> GPT-4o-mini, complex -> cached Claude", router, cachedClaude2,
                day2);
        System.out.println("routes: " + router.routeCounts());
    }

    private static CachedChatModel cached(ChatModel claude, RealWorldModels.SimulatedDay day) {
        return CachedChatModel.builder("support-cache", claude).ttl(Duration.ofHours(2)).maximumSize(2000)
                .ticker(day).build();
    }

    private static Primitive<ChatRequest, ChatResponse> fallback(ChatModel primary, ChatModel mini) {
        FailureClassifier classifier = ProviderFailureClassifier.ofDefaults();
        return Fallback.<ChatRequest, ChatResponse>builder("support-fallback")
                .primary("claude", (req, ctx) -> primary.execute(req.withModel("claude-3-5-sonnet-20241022"), ctx))
                .fallback("gpt-4o-mini", (req, ctx) -> mini.execute(req.withModel("gpt-4o-mini"), ctx))
                .classifier(classifier).build();
    }

    private static void run(String title, Primitive<ChatRequest, ChatResponse> bot, CachedChatModel cache,
            RealWorldModels.SimulatedDay day) {
        RealWorldModels.Zipf questions = new RealWorldModels.Zipf(10_000, 0.8, 5);
        Map<String, Long> calls = new TreeMap<>();
        Money spent = Money.ZERO;
        Duration step = Duration.ofDays(1).dividedBy(PER_DAY);
        for (int i = 0; i < PER_DAY; i++) {
            ChatRequest request = ChatRequest.builder("claude-3-5-sonnet-20241022")
                    .addMessage(dev.costwise.llm.chat.Message.user(question(questions.next()))).maxTokens(1000)
                    .build();
            WorkflowContext ctx = WorkflowContext.builder("support").clock(day).build();
            bot.execute(request, ctx);
            for (CostRecord r : CostRecords.of(ctx)) {
                spent = spent.plus(r.cost());
                if (r.outcome() != Outcome.CACHE_HIT) {
                    calls.merge(r.usedModel(), 1L, Long::sum);
                }
            }
            day.advance(step);
        }
        Money perMonth = spent.times(30);
        System.out.println();
        System.out.println(title);
        System.out.printf("  model calls:           %s%n", calls);
        System.out.printf("  Claude cache hit rate: %.1f%%%n", 100 * cache.stats().hitRate());
        System.out.printf("  cost per day:          %s%n", RealWorldModels.dollars(spent));
        System.out.printf("  cost per month (x30):  %s (budget %s: %s)%n", RealWorldModels.dollars(perMonth),
                MONTHLY_BUDGET.format(),
                perMonth.compareTo(MONTHLY_BUDGET) <= 0 ? "within budget" : "OVER budget");
    }

    /** FAQ-style questions: every other rank asks about opening hours, locations, contact or prices. */
    static String question(int rank) {
        if (rank % 2 == 0) {
            return "Question " + rank + ": what are the " + SIMPLE_KEYWORDS.get(rank / 2 % 4)
                    + " details for your store near me?";
        }
        return "Question " + rank + ": my order " + (10_000 + rank) + " arrived damaged and the replacement was the"
                + " wrong size; I want a refund for both and to understand why this happened twice. "
                + "Please explain the steps in detail. ".repeat(60);
    }
}
