package dev.costwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.pipeline.RouteSelector;
import dev.costwise.llm.wire.PromptTokens;
import dev.costwise.planner.Planner;
import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.replay.ReplayOptions;
import dev.costwise.planner.scenario.GatewayPipelineReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planner replaying a gateway configuration picks, for every request, the route the gateway's own route selector
 * picks for it (both modules are on this module's class path).
 */
class PlannerRoutesLikeTheGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String CONFIG = """
            models:
              - {name: gpt-4o, provider: openai, base_url: "http://127.0.0.1:1/v1", api_key: sk-test}
              - {name: gpt-4o-mini, provider: openai, base_url: "http://127.0.0.1:1/v1", api_key: sk-test}
              - {name: gpt-4.1-mini, provider: openai, base_url: "http://127.0.0.1:1/v1", api_key: sk-test}
            pipelines:
              auto:
                routes:
                  - {name: code, model: gpt-4.1-mini, when: {keywords: [code]}}
                  - {name: short, model: gpt-4o-mini, when: {max_chars: 40}}
                default_route: gpt-4o
            """;

    /** "decode" holds "code" but not where a word starts; 40 characters is within max_chars: 40; the system
     * message makes the third prompt long although its user message is short. */
    private static final List<String> TRACE = List.of(
            request("{\"role\": \"user\", \"content\": \"Please decode this base64 string for me right now\"}"),
            request("{\"role\": \"user\", \"content\": \"Tell me a short story about a cat please\"}"),
            request("{\"role\": \"system\", \"content\": \"You are a helpful assistant for the ACME corporation. "
                    + "Answer politely and briefly.\"}, {\"role\": \"user\", \"content\": \"hi there\"}"));

    @Test
    void givenAKeywordInsideAWordExactlyMaxCharsAndALongSystemPrompt_whenReplayed_thenRoutesAreTheGateways(
            @TempDir Path dir) throws Exception {
        Path trace = Files.write(dir.resolve("trace.jsonl"), TRACE);
        GatewayConfig config = new ConfigLoader(name -> null).parse(CONFIG, "gw.yaml");
        RouteSelector selector = new RouteSelector();
        List<String> gateway = new ArrayList<>();
        for (String line : TRACE) {
            JsonNode body = JSON.readTree(line).get("request");
            gateway.add(selector.choose(config.pipelines().get("auto"), PromptTokens.allText(body),
                    PromptTokens.lastUserText(body), 0).name());
        }

        Planner defaults = Planner.ofDefaults();
        GatewayPipelineReader.Priced priced = new GatewayPipelineReader(defaults.catalog())
                .readPriced(CONFIG, "auto", "gw.yaml");
        List<String> planner = Planner.of(priced.catalog())
                .replay(trace, priced.pipeline(), ReplayOptions.defaults().withDryRun(true))
                .after().outcomes().stream().map(RequestOutcome::route).toList();

        assertThat(gateway).containsExactly("default", "short", "default");
        assertThat(planner).isEqualTo(gateway);
    }

    private static String request(String messages) {
        return "{\"request\": {\"model\": \"gpt-4o\", \"messages\": [" + messages + "]}, "
                + "\"usage\": {\"prompt_tokens\": 1000, \"completion_tokens\": 1000}}";
    }
}
