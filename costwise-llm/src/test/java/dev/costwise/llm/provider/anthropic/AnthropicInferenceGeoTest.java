package dev.costwise.llm.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.CostRecords;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * US-only inference on Claude: the request's {@code inference_geo} reaches Anthropic, and the answer's
 * {@code usage.inference_geo} prices the call (https://platform.claude.com/docs/en/manage-claude/data-residency:
 * {@code "us"} runs in the United States, {@code "global"} anywhere; billed at 1.1× standard rates on Claude Opus 4.6,
 * Sonnet 4.6 and later, per Anthropic's "Enable US-only inference" billing note). The upstream is a MockWebServer
 * speaking the Messages API and its stream.
 */
class AnthropicInferenceGeoTest {

    @StartStop
    private final MockWebServer server = new MockWebServer();

    private final ObjectMapper json = new ObjectMapper();

    private AnthropicChatModel model(String name) {
        return AnthropicChatModel.builder(name).pricer(CatalogPricer.of(ModelCatalogs.bundled()))
                .apiKey("sk-ant-test").baseUrl(server.url("/").uri()).build();
    }

    private static ChatRequest request(String model, Optional<String> geo) {
        return ChatRequest.builder(model).addMessage(Message.user("Summarise the filing")).maxTokens(1000)
                .inferenceGeo(geo).build();
    }

    private void answers(String model, String geo) {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id":"msg_geo","type":"message","role":"assistant","model":"%s",
                 "content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":1000,"cache_creation_input_tokens":2000,"cache_read_input_tokens":4000,
                          "output_tokens":500,"inference_geo":"%s"}}""".formatted(model, geo)).build());
    }

    @Test
    void givenUsOnlyInference_whenOpus46Answers_thenTheGeoIsSentAndEveryTokenIsBilledAt1point1Times()
            throws Exception {
        answers("claude-opus-4-6", "us");
        WorkflowContext ctx = WorkflowContext.of("t");

        ChatResponse r = model("claude-opus-4-6").execute(request("claude-opus-4-6", Optional.of("us")), ctx);

        assertThat(json.readTree(server.takeRequest().getBody().utf8()).path("inference_geo").asText())
                .isEqualTo("us");
        assertThat(r.usage().inferenceGeo()).contains("us");
        // Opus 4.6 per 1M: 1000 × $5 + 2000 × $6.25 + 4000 × $0.50 + 500 × $25 = 32,000 µ$; × 1.1 = 35,200 µ$
        assertThat(r.cost()).isEqualTo(Money.of("0.0352"));
        assertThat(CostRecords.of(ctx)).singleElement().satisfies(rec -> {
            assertThat(rec.cost()).isEqualTo(Money.of("0.0352"));
            assertThat(rec.usage().inferenceGeo()).contains("us");
        });
    }

    @Test
    void givenGlobalInference_whenAnswered_thenTheStandardPricesApply() throws Exception {
        answers("claude-opus-4-6", "global");

        ChatResponse r = model("claude-opus-4-6").execute(request("claude-opus-4-6", Optional.empty()),
                WorkflowContext.of("t"));

        assertThat(json.readTree(server.takeRequest().getBody().utf8()).has("inference_geo")).isFalse();
        assertThat(r.cost()).isEqualTo(Money.of("0.032"));
    }

    @Test
    void givenAModelBeforeOpus46_whenItsUsageSaysUs_thenItIsBilledAtTheStandardRate() {
        // Anthropic bills Opus 4.5, Sonnet 4.5, Haiku 4.5 and earlier at the standard rate
        answers("claude-haiku-4-5", "us");

        ChatResponse r = model("claude-haiku-4-5").execute(request("claude-haiku-4-5", Optional.empty()),
                WorkflowContext.of("t"));

        // Haiku 4.5 per 1M: 1000 × $1 + 2000 × $1.25 + 4000 × $0.10 + 500 × $5 = 6,400 µ$
        assertThat(r.cost()).isEqualTo(Money.of("0.0064"));
    }

    @Test
    void givenUsOnlyInferenceStreamed_whenOnlyMessageStartNamesTheGeo_thenTheStreamCostsWhatTheAnswerDoes() {
        String start = "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_geo\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-opus-4-6\",\"stop_reason\":null,"
                + "\"usage\":{\"input_tokens\":1000,\"cache_creation_input_tokens\":2000,"
                + "\"cache_read_input_tokens\":4000,\"output_tokens\":1,\"inference_geo\":\"us\"}}}";
        String sse = "event: message_start\ndata: " + start + "\n\n"
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"ok\"}}\n\n"
                + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":500}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(sse).build());

        ChatResponse r;
        try (ChatStream stream = model("claude-opus-4-6").stream(request("claude-opus-4-6", Optional.of("us")),
                WorkflowContext.of("t"))) {
            stream.forEachRemaining(c -> { });
            r = stream.response();
        }

        assertThat(r.usage().inferenceGeo()).contains("us");
        assertThat(r.cost()).isEqualTo(Money.of("0.0352"));
    }
}
