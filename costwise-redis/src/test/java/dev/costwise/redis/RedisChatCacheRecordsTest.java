package dev.costwise.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.cache.ChatCacheKey;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.CostRecords;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.metrics.CostMetrics;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import dev.costwise.llm.resilience.FallbackChatModel;
import dev.costwise.llm.resilience.ProviderFailureClassifier;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a shared cache records, with OpenAI faked by MockWebServer in its documented wire format (a completion, an SSE
 * stream ending in a usage chunk and {@code [DONE]}, a 500 error body): a hit counts under the catalog model its
 * filling call was recorded under, and a fill on a context shared with other calls is judged by its own records.
 */
class RedisChatCacheRecordsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The dated snapshot OpenAI answers {@code gpt-4o} with. */
    private static final String SNAPSHOT = "gpt-4o-2024-08-06";
    /** A question whose answer the upstream holds back until {@link #release} opens. */
    private static final String HELD = "held question";
    /** A question {@code gpt-4o} fails with a 500, so the fallback's {@code gpt-4o-mini} answers it. */
    private static final String FAILING = "failing question";

    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private MockWebServer upstream;
    private String prefix;
    private RedisConnection redis;

    @BeforeEach
    void start() throws IOException {
        SharedRedis.requireRunning();
        prefix = SharedRedis.randomPrefix();
        redis = RedisConnection.open(RedisOptions.builder().url(SharedRedis.URL).keyPrefix(prefix).build());
        upstream = new MockWebServer();
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                return answer(request);
            }
        });
        upstream.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (upstream != null) {
            upstream.close();
        }
        if (redis != null) {
            redis.close();
            SharedRedis.deleteAll(SharedRedis.URL, prefix);
        }
    }

    @Test
    void givenAProviderAnsweringUnderASnapshotName_whenServedFromRedis_thenTheHitCountsUnderTheCatalogName() {
        RedisChatCache cache = RedisChatCache.builder("shared", llm(), redis).build();
        ChatRequest called = question("filled by a call");
        ChatRequest streamed = question("filled by a stream");
        cache.execute(called, WorkflowContext.of("fill"));
        try (ChatStream stream = cache.stream(streamed, WorkflowContext.of("fill"))) {
            stream.forEachRemaining(chunk -> { });
        }
        CostMetrics metrics = CostMetrics.inMemory();

        WorkflowContext hits = WorkflowContext.of("hits");
        cache.execute(called, hits);
        cache.execute(streamed, hits);
        CostRecords.of(hits).forEach(r -> metrics.record("all", r));

        assertThat(CostRecords.of(hits))
                .extracting(CostRecord::outcome, CostRecord::usedModel, CostRecord::catalogModel)
                .containsExactly(tuple(Outcome.CACHE_HIT, SNAPSHOT, "gpt-4o"),
                        tuple(Outcome.CACHE_HIT, SNAPSHOT, "gpt-4o"));
        assertThat(metrics.snapshot("all").byModel()).containsOnlyKeys("gpt-4o");
    }

    @Test
    void givenTwoFillsOnOneContext_whenOnlyOneFallsBack_thenOnlyItsAnswerIsKeptForTheFallbackTtl() throws Exception {
        RedisChatCache cache = RedisChatCache.builder("shared", llm(), redis).ttl(Duration.ofHours(1))
                .fallbackTtl(Duration.ofMinutes(5)).build();
        WorkflowContext shared = WorkflowContext.of("fan-out");

        // the primary's answer is held upstream while the other call on the same context falls back
        CompletableFuture<ChatResponse> primary = CompletableFuture.supplyAsync(
                () -> cache.execute(question(HELD), shared));
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        ChatResponse fellBack = cache.execute(question(FAILING), shared);
        release.countDown();
        ChatResponse answered = primary.get(10, TimeUnit.SECONDS);

        assertThat(fellBack.model()).isEqualTo("gpt-4o-mini");
        assertThat(answered.model()).isEqualTo(SNAPSHOT);
        assertThat(pttl(question(HELD))).isGreaterThan(Duration.ofMinutes(55).toMillis());
        assertThat(pttl(question(FAILING))).isBetween(1L, Duration.ofMinutes(5).toMillis());
    }

    /** gpt-4o, falling back to gpt-4o-mini: the real OpenAI adapter at {@link #upstream}, each sending its model. */
    private ChatModel llm() {
        return FallbackChatModel.builder("llm").primary("gpt-4o", adapter("gpt-4o"))
                .fallback("gpt-4o-mini", adapter("gpt-4o-mini"))
                .classifier(ProviderFailureClassifier.ofDefaults()).build();
    }

    private OpenAiCompatibleChatModel adapter(String model) {
        return OpenAiCompatibleChatModel.builder(
                        OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(upstream.url("/v1").toString()), model)
                .apiKey(ApiKey.of("sk-test")).pricer(CatalogPricer.of(ModelCatalogs.bundled()))
                .environment(Map.of()).build();
    }

    private long pttl(ChatRequest request) {
        return SharedRedis.pttl(SharedRedis.URL, redis.key("cache", "", ChatCacheKey.of("", request)));
    }

    private static ChatRequest question(String text) {
        return ChatRequest.builder("gpt-4o").addMessage(Message.user(text)).maxTokens(100).build();
    }

    /** OpenAI as the questions script it: gpt-4o answers under its snapshot name, mini under its own. */
    private MockResponse answer(RecordedRequest request) throws InterruptedException {
        JsonNode body;
        try {
            body = JSON.readTree(request.getBody().utf8());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String model = body.path("model").asText();
        String prompt = body.path("messages").path(0).path("content").asText();
        if (model.equals("gpt-4o") && prompt.equals(FAILING)) {
            return new MockResponse.Builder().code(500).addHeader("Content-Type", "application/json")
                    .body("{\"error\":{\"message\":\"The server had an error while processing your request.\","
                            + "\"type\":\"server_error\",\"param\":null,\"code\":null}}").build();
        }
        if (prompt.equals(HELD)) {
            held.countDown();
            release.await(10, TimeUnit.SECONDS);
        }
        String answeredBy = model.equals("gpt-4o") ? SNAPSHOT : model;
        if (body.path("stream").asBoolean()) {
            String chunk = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\""
                    + answeredBy + "\",\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}";
            String usage = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\""
                    + answeredBy + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,"
                    + "\"total_tokens\":12}}";
            return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(
                    "data: " + chunk.formatted("{\"role\":\"assistant\",\"content\":\"Hi \"}", "null") + "\n\n"
                            + "data: " + chunk.formatted("{\"content\":\"there\"}", "null") + "\n\n"
                            + "data: " + chunk.formatted("{}", "\"stop\"") + "\n\n"
                            + "data: " + usage + "\n\n" + "data: [DONE]\n\n").build();
        }
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"%s","choices":[{"index":0,
                 "message":{"role":"assistant","content":"Hi there"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}""".formatted(answeredBy))
                .build();
    }
}
