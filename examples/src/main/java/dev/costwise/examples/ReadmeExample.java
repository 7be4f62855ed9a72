package dev.costwise.examples;

import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.Backoff;
import dev.costwise.core.recovery.Retry;
import dev.costwise.core.recovery.RetryConfig;
import dev.costwise.llm.cache.CachedChatModel;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.provider.ollama.OllamaChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import dev.costwise.llm.resilience.ProviderFailureClassifier;
import dev.costwise.llm.resilience.ResilientChatModel;
import dev.costwise.llm.routing.ChatRouter;
import java.time.Duration;

/**
 * The README's Java example, kept here so it always compiles. Needs {@code OPENAI_API_KEY} and a local Ollama to run.
 */
public final class ReadmeExample {

    private ReadmeExample() {}

    /** @param args ignored */
    public static void main(String[] args) {
        ModelCatalog catalog = ModelCatalogs.bundled();                       // 81 models, prices per 1M tokens, dated
        CatalogPricer pricer = CatalogPricer.of(catalog).withBaseline("gpt-4o"); // savings: against all-gpt-4o
        ChatModel gpt4o = OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                .pricer(pricer).build();                                      // key from OPENAI_API_KEY, never logged
        ChatModel mini = OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o-mini")
                .pricer(pricer).build();
        ChatModel llama = OllamaChatModel.builder("llama3.2").pricer(pricer).build();

        // Pattern 1: cache + router. The cache key is a hash of the whole canonical request, per virtual key.
        ChatModel cachedGpt4o = CachedChatModel.builder("cached_gpt4o", gpt4o).ttl(Duration.ofHours(1)).build();
        ChatRouter router = ChatRouter.builder("router")
                .route("local", llama).route("mini", mini).route("premium", cachedGpt4o)
                .selector((req, ctx) -> req.lastUserText().length() < 100 ? "local"
                        : req.lastUserText().length() < 500 ? "mini" : "premium")
                .defaultRoute("mini").build();

        // Pattern 4 around it: retry transient failures only, honour a Retry-After of up to a minute (maxRetryAfter; a
        // longer one fails at once), never past the deadline. The router is a ChatModel, so stream() is routed and
        // retried too.
        ChatModel workflow = ResilientChatModel.builder(router).retry(Retry.of("retry", RetryConfig.builder()
                .maxRetries(3).backoff(Backoff.exponential()).classifier(ProviderFailureClassifier.ofDefaults())
                .build())).build();

        WorkflowContext ctx = WorkflowContext.builder("cost-optimized-workflow").tag("team", "support")
                .timeout(Duration.ofSeconds(30)).build();
        ChatResponse answer = workflow.execute(ChatRequest.of("gpt-4o", "Your query here"), ctx);
        System.out.println(answer.cost().format() + " on " + answer.model());  // e.g. $0.000412 (6 decimals at most)
        try (ChatStream stream = workflow.stream(ChatRequest.of("gpt-4o", "Tell me a story"), ctx)) {
            stream.forEachRemaining(chunk -> System.out.print(chunk.contentDelta()));   // e.g. to a UI, as it arrives
        }
        CostRecords.of(ctx).forEach(System.out::println); // every billed attempt: cost, baselineCost (on gpt-4o)
    }
}
