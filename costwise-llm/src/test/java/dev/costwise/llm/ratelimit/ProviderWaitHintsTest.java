package dev.costwise.llm.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.Retry;
import dev.costwise.core.recovery.RetryConfig;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.TestPricers;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import dev.costwise.llm.resilience.ProviderFailureClassifier;
import dev.costwise.llm.resilience.RetryingChatModel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * The waits providers give in their error bodies become the failure's retry-after, as a {@code Retry-After} header
 * does (bug bash 4, F4): Hugging Face's "model is loading" 503 with {@code estimated_time} (seconds), and Gemini's 429
 * {@code RESOURCE_EXHAUSTED} for a per-day quota with a {@code google.rpc.RetryInfo} {@code retryDelay}, and
 * OpenRouter's 429 with its limit's {@code X-RateLimit-Reset} (epoch milliseconds) in {@code error.metadata.headers}.
 * Retries wait them out (up to {@link RetryConfig#maxRetryAfter()}), and cooldowns rest the model for them. The
 * providers are MockWebServers in their wire formats; sleeps and the cooldowns' clock are injected.
 */
class ProviderWaitHintsTest {

    private static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final WorkflowContext ctx = WorkflowContext.of("t");

    /** Hugging Face's router while the model loads (https://huggingface.co/docs/api-inference). */
    private static MockResponse modelLoading(String seconds) {
        return new MockResponse.Builder().code(503).addHeader("Content-Type", "application/json")
                .body("{\"error\":\"Model meta-llama/Llama-3.1-8B is currently loading\",\"estimated_time\":"
                        + seconds + "}").build();
    }

    private static MockResponse completion(String model) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id":"c1","object":"chat.completion","created":1,"model":"%s","choices":[{"index":0,
                 "message":{"role":"assistant","content":"ready"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""".formatted(model)).build();
    }

    private ChatModel huggingFace() {
        return OpenAiCompatibleChatModel.builder(
                OpenAiCompatibleEndpoint.HUGGING_FACE.withBaseUrl(server.url("/v1").toString()),
                "meta-llama/Llama-3.1-8B").apiKey(ApiKey.of("hf_test")).pricer(TestPricers.FIXED)
                .environment(Map.of()).build();
    }

    @Test
    void givenHuggingFacesModelLoading_whenCalled_thenTheEstimatedTimeIsTheRetryAfter() {
        server.enqueue(modelLoading("20.5"));

        assertThatThrownBy(() -> huggingFace().execute(ChatRequest.of("meta-llama/Llama-3.1-8B", "hi"), ctx))
                .isInstanceOfSatisfying(ProviderException.Overloaded.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofMillis(20_500)));
    }

    @Test
    void givenHuggingFacesModelLoading_whenRetried_thenTheRetryWaitsTheEstimatedTimeAndGetsTheAnswer() {
        server.enqueue(modelLoading("2.0"));
        server.enqueue(completion("meta-llama/Llama-3.1-8B"));
        List<Duration> slept = new CopyOnWriteArrayList<>();
        ChatModel retried = RetryingChatModel.of(Retry.of("hf-retry", RetryConfig.builder().maxRetries(3)
                .classifier(ProviderFailureClassifier.ofDefaults()).sleeper(slept::add).build()), huggingFace());

        assertThat(retried.execute(ChatRequest.of("meta-llama/Llama-3.1-8B", "hi"), ctx).text()).isEqualTo("ready");
        assertThat(slept).singleElement().satisfies(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ofSeconds(2)));
    }

    /**
     * OpenRouter's 429 for a limit of its own, which it reports with the limit's headers in the error's metadata
     * (https://openrouter.ai/docs/api/reference/limits; the body as OpenRouter sends it), and no HTTP retry header.
     */
    private static MockResponse openRouterLimited(String message, Instant reset) {
        return new MockResponse.Builder().code(429).addHeader("Content-Type", "application/json")
                .body(openRouterLimitBody(message, reset)).build();
    }

    private static String openRouterLimitBody(String message, Instant reset) {
        return """
                {"error":{"message":"%s","code":429,"metadata":{"headers":{"X-RateLimit-Limit":"20",\
                "X-RateLimit-Remaining":"0","X-RateLimit-Reset":"%d"},"provider_name":null}},\
                "user_id":"user_2mBdBPxBH7eLf6NvkErkltzOCzu"}""".formatted(message, reset.toEpochMilli());
    }

    private ChatModel openRouter() {
        return OpenAiCompatibleChatModel.builder(
                OpenAiCompatibleEndpoint.OPENROUTER.withBaseUrl(server.url("/api/v1").toString()),
                "deepseek/deepseek-r1:free").apiKey(ApiKey.of("sk-or-test")).pricer(TestPricers.FIXED)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).environment(Map.of()).build();
    }

    @Test
    void givenOpenRoutersRateLimitWithItsResetInTheErrorMetadata_whenRetried_thenTheRetryWaitsUntilTheReset() {
        server.enqueue(openRouterLimited("Rate limit exceeded: limit_rpm/deepseek/deepseek-r1", NOW.plusMillis(1500)));
        server.enqueue(completion("deepseek/deepseek-r1:free"));
        List<Duration> slept = new CopyOnWriteArrayList<>();
        ChatModel retried = RetryingChatModel.of(Retry.of("or-retry", RetryConfig.builder().maxRetries(3)
                .classifier(ProviderFailureClassifier.ofDefaults()).sleeper(slept::add).build()), openRouter());

        assertThat(retried.execute(ChatRequest.of("deepseek/deepseek-r1:free", "hi"), ctx).text()).isEqualTo("ready");
        assertThat(slept).as("the reset, not the 100 ms backoff").containsExactly(Duration.ofMillis(1500));
    }

    @Test
    void givenOpenRoutersDailyLimitResettingInHours_whenRetried_thenTheRetryGivesUpInsteadOfWaitingTheBackoff() {
        for (int i = 0; i < 4; i++) { // as many as the retries would ask for, had they waited the backoff
            server.enqueue(openRouterLimited("Rate limit exceeded: free-models-per-day",
                    NOW.plus(Duration.ofHours(14))));
        }
        List<Duration> slept = new CopyOnWriteArrayList<>();
        ChatModel retried = RetryingChatModel.of(Retry.of("or-retry", RetryConfig.builder().maxRetries(3)
                .classifier(ProviderFailureClassifier.ofDefaults()).sleeper(slept::add).build()), openRouter());

        assertThatThrownBy(() -> retried.execute(ChatRequest.of("deepseek/deepseek-r1:free", "hi"), ctx))
                .isInstanceOfSatisfying(ProviderException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofHours(14)));
        assertThat(slept).as("14 h is past the retry's longest wait (60 s)").isEmpty();
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenOpenRoutersRateLimitWithARetryAfterHeader_whenCalled_thenTheHeaderWinsOverTheMetadata() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Content-Type", "application/json")
                .addHeader("Retry-After", "3").body(openRouterLimitBody("Rate limit exceeded", NOW.plusSeconds(40)))
                .build());

        assertThatThrownBy(() -> openRouter().execute(ChatRequest.of("deepseek/deepseek-r1:free", "hi"), ctx))
                .isInstanceOfSatisfying(ProviderException.RateLimited.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(3)));
    }

    @Test
    void givenGeminisDailyQuotaExhausted_whenACooldownFallbackMovesOn_thenGeminiRestsUntilTheQuotaResets() {
        // Gemini's 429 for the free tier's requests per day (https://ai.google.dev/gemini-api/docs/rate-limits)
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Content-Type", "application/json").body("""
                {"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing \
                details.","status":"RESOURCE_EXHAUSTED","details":[
                 {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":
                  "generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":
                  "GenerateRequestsPerDayPerProjectPerModel-FreeTier","quotaDimensions":{"location":"global",
                  "model":"gemini-2.5-flash"},"quotaValue":"250"}]},
                 {"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more about Gemini API \
                quotas","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]},
                 {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"50400s"}]}}""").build());
        server.enqueue(completion("llama-3.3-70b-versatile"));
        CatalogPricer pricer = CatalogPricer.of(ModelCatalogs.bundled());
        ChatModel gemini = GeminiChatModel.builder("gemini-2.5-flash:free").pricer(pricer)
                .apiKey(ApiKey.of("AIza-test")).baseUrl(server.url("/").uri()).build();
        ChatModel groq = OpenAiCompatibleChatModel.builder(
                OpenAiCompatibleEndpoint.GROQ.withBaseUrl(server.url("/openai/v1").toString()),
                "llama-3.3-70b-versatile:free").apiKey(ApiKey.of("gsk-test")).pricer(pricer).environment(Map.of())
                .build();
        Cooldowns cooldowns = Cooldowns.of(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(60));
        ChatModel free = CooldownAwareFallback.of("free", cooldowns, gemini, groq);

        assertThat(free.execute(ChatRequest.of("gemini-2.5-flash:free", "hi"), ctx).text()).isEqualTo("ready");
        assertThat(cooldowns.until(Cooldowns.deploymentOf(gemini))).contains(NOW.plusSeconds(50_400));
    }
}
