package dev.costwise.llm.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** The cap in front of OpenAI's chat API (https://platform.openai.com/docs/api-reference/chat/create), faked. */
class ReasoningCapTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @StartStop
    final MockWebServer server = new MockWebServer();

    private ChatModel o4Mini() {
        return OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(
                server.url("/v1").toString()), "o4-mini").apiKey(ApiKey.of("sk-test"))
                .pricer(CatalogPricer.of(ModelCatalogs.bundled())).environment(Map.of()).build();
    }

    private JsonNode sent(ChatModel model, ChatRequest request) throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id":"c","object":"chat.completion","created":1,"model":"o4-mini","choices":[{"index":0,
                 "message":{"role":"assistant","content":"42"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":10,"completion_tokens":50,"total_tokens":60,
                 "completion_tokens_details":{"reasoning_tokens":40}}}""").build());
        model.execute(request, WorkflowContext.of("t"));
        return JSON.readTree(server.takeRequest().getBody().utf8());
    }

    @Test
    void givenACap_whenRequestsAskForMoreLessOrNothing_thenOnlyMoreIsLoweredOnTheWire() throws Exception {
        ChatModel capped = ReasoningCap.of(o4Mini(), ReasoningEffort.LOW);
        ChatRequest.Builder ask = ChatRequest.builder("o4-mini").addMessage(Message.user("6 * 7?"));

        assertThat(sent(capped, ask.reasoningEffort(ReasoningEffort.HIGH).build()).path("reasoning_effort").asText())
                .isEqualTo("low");
        assertThat(sent(capped, ask.reasoningEffort(ReasoningEffort.MINIMAL).build()).path("reasoning_effort")
                .asText()).isEqualTo("minimal");
        assertThat(sent(capped, ask.reasoning(Optional.empty()).build()).has("reasoning_effort")).isFalse();
        assertThat(capped.name()).isEqualTo("o4-mini");
    }

    @Test
    void givenABudget_whenCapped_thenLoweredToTheCapsBudgetAndAnAllowedRequestIsTheSameObject() {
        ChatRequest budget = ChatRequest.builder("m").addMessage(Message.user("q")).reasoning(Reasoning.budget(20_000))
                .build();
        ChatRequest small = budget.toBuilder().reasoning(Reasoning.budget(500)).build();

        assertThat(ReasoningCap.capped(budget, ReasoningEffort.MEDIUM).reasoning())
                .contains(Reasoning.budget(8_192));
        assertThat(ReasoningCap.capped(small, ReasoningEffort.MEDIUM)).isSameAs(small);
        assertThat(ReasoningCap.capped(budget, ReasoningEffort.NONE).reasoning().orElseThrow().isOff()).isTrue();
    }
}
