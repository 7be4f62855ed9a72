package dev.costwise.llm.provider;

import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import dev.costwise.llm.provider.gemini.GeminiChatModel;
import dev.costwise.llm.provider.http.ApiKey;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

/** Adapters of the bundled catalog's models pointed at a MockWebServer, and the provider answers it replays. */
final class Upstreams {

    static final ApiKey KEY = ApiKey.of("test-key");
    static final Pricer PRICER = CatalogPricer.of(ModelCatalogs.bundled());

    private Upstreams() {}

    /** @return a Claude Sonnet 4.5 adapter calling {@code server} */
    static AnthropicChatModel.Builder claude(MockWebServer server) {
        return AnthropicChatModel.builder("claude-sonnet-4-5").pricer(PRICER).apiKey(KEY)
                .baseUrl(server.url("/").uri());
    }

    /** @return a Gemini 2.5 Flash adapter calling {@code server} */
    static GeminiChatModel gemini(MockWebServer server) {
        return GeminiChatModel.builder("gemini-2.5-flash").pricer(PRICER).apiKey(KEY).baseUrl(server.url("/").uri())
                .build();
    }

    /** @return an Anthropic {@code message} answering {@code text} (https://docs.claude.com/en/api/messages) */
    static MockResponse claudeText(String text) {
        return json("""
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
                 "content":[{"type":"text","text":"%s"}],"stop_reason":"end_turn",
                 "usage":{"input_tokens":100,"output_tokens":5}}""".formatted(text));
    }

    /** @return a 200 with that JSON body */
    static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }
}
