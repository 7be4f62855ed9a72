package dev.costwise.llm.ratelimit;

import static dev.costwise.llm.resilience.OpenAiUpstream.adapter;
import static dev.costwise.llm.resilience.OpenAiUpstream.chunk;
import static dev.costwise.llm.resilience.OpenAiUpstream.costRecords;
import static dev.costwise.llm.resilience.OpenAiUpstream.cutAfter;
import static dev.costwise.llm.resilience.OpenAiUpstream.eventStream;
import static dev.costwise.llm.resilience.OpenAiUpstream.readAll;
import static dev.costwise.llm.resilience.OpenAiUpstream.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.StepRecord;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.budget.MutableClock;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.time.Duration;
import java.time.Instant;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CooldownAwareFallback}'s streams over real OpenRouter adapters and a MockWebServer speaking OpenRouter's wire
 * format (https://openrouter.ai/docs/api-reference/streaming: {@code : OPENROUTER PROCESSING} comments while the
 * upstream is asked, then chunks; an upstream error after the 200 went out comes as an SSE event whose {@code error}
 * has the numeric code, https://openrouter.ai/docs/api/errors): a 429 before the first chunk moves on and rests the
 * model, exactly as one that refuses to open the stream does; after the first chunk nothing moves on.
 */
class CooldownAwareFallbackStreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
    private final Cooldowns cooldowns = Cooldowns.of(clock, Duration.ofSeconds(60));
    private final WorkflowContext ctx = WorkflowContext.builder("t").clock(clock).build();
    private ChatModel llama70b;
    private ChatModel llama8b;
    private CooldownAwareFallback chain;

    @BeforeEach
    void models() {
        llama70b = openRouter("meta-llama/llama-3.3-70b-instruct:free");
        llama8b = openRouter("meta-llama/llama-3.1-8b-instruct:free");
        chain = CooldownAwareFallback.of("free-llama", cooldowns, llama70b, llama8b);
    }

    private ChatModel openRouter(String model) {
        return adapter(server, OpenAiCompatibleEndpoint.OPENROUTER, model).build();
    }

    /** @return OpenRouter's 200 stream whose upstream answered 429 before writing anything */
    private static MockResponse rateLimitedBeforeTheFirstChunk(String model) {
        return eventStream(": OPENROUTER PROCESSING\n\n"
                + "data: {\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model + "\","
                + "\"error\":{\"code\":429,\"message\":\"Rate limit exceeded upstream\"},"
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}\n\n"
                + "data: [DONE]\n\n");
    }

    private String modelSent() throws Exception {
        return JSON.readTree(server.takeRequest().getBody().utf8()).get("model").asText();
    }

    @Test
    void givenA429EventBeforeTheFirstChunk_whenStreamed_thenTheNextModelStreamsAndTheFirstRests() throws Exception {
        server.enqueue(rateLimitedBeforeTheFirstChunk("meta-llama/llama-3.3-70b-instruct:free"));
        server.enqueue(stream("meta-llama/llama-3.1-8b-instruct:free", "Hello", " from 8b"));

        ChatStream s = chain.stream(ChatRequest.of("free-llama", "hi"), ctx);

        assertThat(String.join("", readAll(s))).isEqualTo("Hello from 8b");
        assertThat(modelSent()).isEqualTo("meta-llama/llama-3.3-70b-instruct:free");
        assertThat(modelSent()).isEqualTo("meta-llama/llama-3.1-8b-instruct:free");
        assertThat(cooldowns.remaining(Cooldowns.deploymentOf(llama70b))).isEqualTo(Duration.ofSeconds(60));
        assertThat(ctx.records("fallback")).extracting(StepRecord::attributes)
                .extracting(a -> a.get("from") + " " + a.get("reason"))
                .containsExactly("meta-llama/llama-3.3-70b-instruct:free rate_limited");
        assertThat(costRecords(ctx)).extracting(c -> c.outcome() + " " + c.errorKind().orElse("-"))
                .containsExactly(Outcome.FAILED + " rate_limited", Outcome.SUCCESS + " -");
    }

    @Test
    void givenTheFirstModelRestingAfterA429Event_whenStreamedAgain_thenItIsNotCalledUntilItsCooldownEnds() {
        server.enqueue(rateLimitedBeforeTheFirstChunk("meta-llama/llama-3.3-70b-instruct:free"));
        server.enqueue(stream("meta-llama/llama-3.1-8b-instruct:free", "one"));
        server.enqueue(stream("meta-llama/llama-3.1-8b-instruct:free", "two"));
        server.enqueue(stream("meta-llama/llama-3.3-70b-instruct:free", "three"));
        readAll(chain.stream(ChatRequest.of("free-llama", "hi"), ctx));

        assertThat(readAll(chain.stream(ChatRequest.of("free-llama", "hi"), ctx))).contains("two");
        clock.advance(Duration.ofSeconds(60));
        assertThat(readAll(chain.stream(ChatRequest.of("free-llama", "hi"), ctx))).contains("three");

        assertThat(server.getRequestCount()).isEqualTo(4);
    }

    @Test
    void givenA429EventOnEveryModel_whenStreamed_thenOneTypedErrorNamesThemAll() {
        server.enqueue(rateLimitedBeforeTheFirstChunk("meta-llama/llama-3.3-70b-instruct:free"));
        server.enqueue(rateLimitedBeforeTheFirstChunk("meta-llama/llama-3.1-8b-instruct:free"));

        assertThatThrownBy(() -> chain.stream(ChatRequest.of("free-llama", "hi"), ctx))
                .isInstanceOfSatisfying(AllCoolingDownException.class, e -> {
                    assertThat(e.deployments()).containsExactly(Cooldowns.deploymentOf(llama70b),
                            Cooldowns.deploymentOf(llama8b));
                    assertThat(e.getSuppressed()).allMatch(ProviderException.RateLimited.class::isInstance);
                });
    }

    @Test
    void givenAFailureAfterTheFirstChunk_whenRead_thenItReachesTheReaderAndTheNextModelIsNotCalled() {
        server.enqueue(cutAfter("meta-llama/llama-3.3-70b-instruct:free", "Partial"));
        server.enqueue(stream("meta-llama/llama-3.1-8b-instruct:free", "never streamed"));

        ChatStream s = chain.stream(ChatRequest.of("free-llama", "hi"), ctx);

        assertThat(s.next().contentDelta()).isEqualTo("Partial");
        assertThatThrownBy(s::hasNext).isInstanceOf(ProviderException.ConnectionFailed.class);
        s.close();
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(ctx.records("fallback")).isEmpty();
        assertThat(costRecords(ctx)).extracting(CostRecord::outcome).containsExactly(Outcome.FAILED);
    }

    @Test
    void givenAnEventThatIsNotARateLimitBeforeTheFirstChunk_whenStreamed_thenItIsThrownAndNothingRests() {
        server.enqueue(eventStream("data: " + chunk("x", "{}", "null").replace("\"choices\"",
                "\"error\":{\"code\":500,\"message\":\"Provider disconnected\"},\"choices\"") + "\n\n"));

        assertThatThrownBy(() -> chain.stream(ChatRequest.of("free-llama", "hi"), ctx))
                .isInstanceOf(ProviderException.ServerError.class);
        assertThat(cooldowns.isCoolingDown(Cooldowns.deploymentOf(llama70b))).isFalse();
        assertThat(server.getRequestCount()).isEqualTo(1);
    }
}
