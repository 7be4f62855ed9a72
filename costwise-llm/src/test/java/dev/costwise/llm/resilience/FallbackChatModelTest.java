package dev.costwise.llm.resilience;

import static dev.costwise.llm.resilience.OpenAiUpstream.adapter;
import static dev.costwise.llm.resilience.OpenAiUpstream.costRecords;
import static dev.costwise.llm.resilience.OpenAiUpstream.cutAfter;
import static dev.costwise.llm.resilience.OpenAiUpstream.error;
import static dev.costwise.llm.resilience.OpenAiUpstream.eventStream;
import static dev.costwise.llm.resilience.OpenAiUpstream.readAll;
import static dev.costwise.llm.resilience.OpenAiUpstream.serverError;
import static dev.costwise.llm.resilience.OpenAiUpstream.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.StepRecord;
import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.AllFallbacksFailedException;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.provider.ProviderException;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * {@link FallbackChatModel} over real OpenAI adapters and a MockWebServer speaking OpenAI's wire format: a stream moves
 * to the next model on a failure before its first chunk, and never after.
 */
class FallbackChatModelTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final WorkflowContext ctx = WorkflowContext.of("test");

    private FallbackChatModel chain() {
        return FallbackChatModel.builder("llm")
                .primary("gpt-4o", adapter(server, "gpt-4o").build())
                .fallback("gpt-4o-mini", adapter(server, "gpt-4o-mini").build())
                .classifier(ProviderFailureClassifier.ofDefaults()).build();
    }

    private String modelSent() throws Exception {
        return JSON.readTree(server.takeRequest().getBody().utf8()).get("model").asText();
    }

    @Test
    void givenA500OnThePrimary_whenStreamed_thenTheSecondaryStreamsAndBothAttemptsAreOnRecord() throws Exception {
        server.enqueue(serverError());
        server.enqueue(stream("gpt-4o-mini", "Hello", " from", " mini"));

        ChatStream s = chain().stream(ChatRequest.of("gpt-4o", "hi"), ctx);

        assertThat(String.join("", readAll(s))).isEqualTo("Hello from mini");
        assertThat(s.response().model()).isEqualTo("gpt-4o-mini");
        assertThat(modelSent()).isEqualTo("gpt-4o");
        assertThat(modelSent()).isEqualTo("gpt-4o-mini");
        assertThat(ctx.records("fallback")).extracting(StepRecord::attributes)
                .extracting(a -> a.get("target") + " " + a.get("outcome") + " " + a.get("reason"))
                .containsExactly("gpt-4o skipped server_error", "gpt-4o-mini answered ok");
        assertThat(costRecords(ctx)).extracting(c -> c.usedModel() + " " + c.outcome())
                .containsExactly("gpt-4o FAILED", "gpt-4o-mini SUCCESS");
    }

    @Test
    void givenThePrimarysStreamCutBeforeItsFirstChunk_whenStreamed_thenTheSecondaryStreams() {
        server.enqueue(eventStream("")); // the 200's headers came, then the connection ended with no event
        server.enqueue(stream("gpt-4o-mini", "Hello"));

        ChatStream s = chain().stream(ChatRequest.of("gpt-4o", "hi"), ctx);

        assertThat(String.join("", readAll(s))).isEqualTo("Hello");
        assertThat(costRecords(ctx)).extracting(c -> c.usedModel() + " " + c.outcome() + " " + c.errorKind())
                .containsExactly("gpt-4o FAILED Optional[connection]", "gpt-4o-mini SUCCESS Optional.empty");
    }

    @Test
    void givenAFailureAfterThePrimarysFirstChunk_whenRead_thenItReachesTheReaderAndTheSecondaryIsNotCalled() {
        server.enqueue(cutAfter("gpt-4o", "Partial answer that"));
        server.enqueue(stream("gpt-4o-mini", "never streamed"));

        ChatStream s = chain().stream(ChatRequest.of("gpt-4o", "hi"), ctx);

        assertThat(s.next().contentDelta()).isEqualTo("Partial answer that");
        assertThatThrownBy(s::hasNext).isInstanceOf(ProviderException.ConnectionFailed.class);
        s.close();
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(costRecords(ctx)).singleElement().extracting(CostRecord::outcome).isEqualTo(Outcome.FAILED);
    }

    @Test
    void givenEveryModelFailingBeforeItsFirstChunk_whenStreamed_thenOneErrorCarriesEveryCause() {
        server.enqueue(serverError());
        server.enqueue(error(503, "server_error", "overloaded"));

        assertThatThrownBy(() -> chain().stream(ChatRequest.of("gpt-4o", "hi"), ctx))
                .isInstanceOfSatisfying(AllFallbacksFailedException.class, e -> assertThat(e.causes())
                        .containsOnlyKeys("gpt-4o", "gpt-4o-mini"));
        assertThat(costRecords(ctx)).extracting(CostRecord::outcome)
                .containsExactly(Outcome.FAILED, Outcome.FAILED);
    }

    @Test
    void givenACallersMistake_whenStreamed_thenTheSecondaryIsNotCalled() {
        server.enqueue(error(400, "invalid_request_error", "invalid_value"));

        assertThatThrownBy(() -> chain().stream(ChatRequest.of("gpt-4o", "hi"), ctx))
                .isInstanceOf(ProviderException.InvalidRequest.class);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenA500OnThePrimary_whenCalled_thenTheSecondaryAnswers() {
        server.enqueue(serverError());
        server.enqueue(OpenAiUpstream.completion("gpt-4o-mini", "whole"));

        assertThat(chain().execute(ChatRequest.of("gpt-4o", "hi"), ctx).text()).isEqualTo("whole");
        assertThat(chain().targetNames()).containsExactly("gpt-4o", "gpt-4o-mini");
    }
}
