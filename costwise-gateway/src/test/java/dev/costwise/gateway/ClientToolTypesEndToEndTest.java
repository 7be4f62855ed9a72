package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * Anthropic's client tools ({@code bash_20250124}, {@code text_editor_20250728}, {@code computer_20250124}: defined
 * by Anthropic, run by the caller; https://docs.claude.com/en/docs/agents-and-tools/tool-use/bash-tool) reach Claude as
 * the caller defined them, and other providers, which do not know them, refuse them naming the field and saying why.
 * A refusal never blames a provider's servers for a tool that does not run there: an unknown type is named as
 * unknown, and a Responses {@code custom} tool as the client tool it is. The upstreams are MockWebServers speaking
 * Anthropic's Messages API and OpenAI's chat API.
 */
class ClientToolTypesEndToEndTest {
    private static final String MASTER = "master-secret-123";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: haiku, provider: anthropic, model: claude-haiku-4-5, api_key: sk-ant-test, base_url: %1$s}
                  - {name: mini, provider: openai, model: gpt-4.1-mini, base_url: %1$s/v1}
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %1$s, api_key: AIza-test}
                defaults:
                  cache: {enabled: false}
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("MASTER", MASTER));
    }

    private static HttpResponse<String> messages(TestGateway gw, String model, String tools) {
        return gw.post("/v1/messages", """
                {"model": "%s", "max_tokens": 100, "tools": %s,
                 "messages": [{"role": "user", "content": "Fix the failing test"}]}""".formatted(model, tools),
                "x-api-key", MASTER, "anthropic-version", "2023-06-01");
    }

    private static String message(HttpResponse<String> res) {
        return TestGateway.json(res.body()).at("/error/message").asText();
    }

    @Test
    void givenAnthropicClientTools_whenClaudeIsAsked_thenTheyReachAnthropicAsDefined() throws Exception {
        upstream.enqueue(AnthropicFake.message("Looking.", "end_turn", "null"));
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "haiku", """
                    [{"type": "bash_20250124", "name": "bash"},
                     {"type": "text_editor_20250728", "name": "str_replace_based_edit_tool", "max_characters": 10000},
                     {"type": "computer_20250124", "name": "computer", "display_width_px": 1024,
                      "display_height_px": 768, "cache_control": {"type": "ephemeral"}}]""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode tools = SentUpstream.next(upstream).path("tools");
            assertThat(tools.get(0)).isEqualTo(TestGateway.json("{\"type\": \"bash_20250124\", \"name\": \"bash\"}"));
            assertThat(tools.get(1)).isEqualTo(TestGateway.json("""
                    {"type": "text_editor_20250728", "name": "str_replace_based_edit_tool",
                     "max_characters": 10000}"""));
            assertThat(tools.get(2)).isEqualTo(TestGateway.json("""
                    {"type": "computer_20250124", "name": "computer", "display_width_px": 1024,
                     "display_height_px": 768, "cache_control": {"type": "ephemeral"}}"""));
        }
    }

    @Test
    void givenAnAnthropicClientTool_whenAnOpenAiModelIsAsked_thenA400SaysOnlyAnthropicModelsKnowIt() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "mini", """
                    [{"name": "read", "input_schema": {"type": "object"}},
                     {"type": "bash_20250124", "name": "bash"}]""");

            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(message(res)).startsWith("tools[1].type: tool type 'bash_20250124' is an Anthropic-defined "
                    + "client tool, understood only by Anthropic models").doesNotContain("servers");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenAnAnthropicClientTool_whenGeminiIsAsked_thenA400SaysOnlyAnthropicModelsKnowIt() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "flash", "[{\"type\": \"text_editor_20250728\", "
                    + "\"name\": \"str_replace_based_edit_tool\"}]");

            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(message(res)).startsWith("tools[0].type: tool type 'text_editor_20250728' is an "
                    + "Anthropic-defined client tool, understood only by Anthropic models");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenAnUnknownToolType_whenSentToMessages_thenA400NamesItAsUnknown() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "haiku", "[{\"type\": \"made_up_tool\", \"name\": \"x\"}]");

            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(message(res)).startsWith("tools[0].type: unknown tool type 'made_up_tool'")
                    .doesNotContain("servers");
        }
    }

    @Test
    void givenAServerTool_whenSentToMessages_thenA400SaysItRunsOnAnthropicsServers() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> res = messages(gw, "haiku", "[{\"type\": \"web_search_20250305\", "
                    + "\"name\": \"web_search\"}]");

            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(message(res)).startsWith("tools[0].type: server tool 'web_search_20250305' runs on "
                    + "Anthropic's own servers");
        }
    }

    @Test
    void givenACustomOrUnknownToolOnResponses_whenSent_thenA400SaysWhatItIsNotWhereItRuns() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> custom = gw.post("/v1/responses", """
                    {"model": "mini", "input": "Patch the file",
                     "tools": [{"type": "custom", "name": "apply_patch", "description": "freeform patch"}]}""",
                    "Authorization", "Bearer " + MASTER);
            HttpResponse<String> unknown = gw.post("/v1/responses", """
                    {"model": "mini", "input": "Patch the file", "tools": [{"type": "made_up_tool"}]}""",
                    "Authorization", "Bearer " + MASTER);

            assertThat(custom.statusCode()).isEqualTo(400);
            assertThat(message(custom)).startsWith("tools[0].type: tool type 'custom' is a tool your client runs")
                    .doesNotContain("servers");
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(message(unknown)).isEqualTo("tools[0].type: unknown tool type 'made_up_tool' (supported: "
                    + "function)");
        }
    }
}
