package dev.costwise.planner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code costwise replay --gateway-config X --pipeline P} predicts what the gateway charges for the same traffic
 * through the same pipeline: each figure below is what the gateway billed for the request (hand-checked from the
 * catalog's prices), and an unchanged pipeline shows no saving and no loss.
 */
class ReplayChargesLikeTheGatewayTest {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private JsonNode replay(String trace, String config, String pipeline, String... more) throws Exception {
        Path t = Files.writeString(dir.resolve("trace.jsonl"), trace);
        Path c = Files.writeString(dir.resolve("gw.yaml"), config);
        CommandLine cli = new CommandLine(new ReplayCommand());
        out.getBuffer().setLength(0);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> args = new ArrayList<>(List.of(t.toString(), "--gateway-config", c.toString(), "--pipeline",
                pipeline, "-f", "json"));
        args.addAll(List.of(more));
        assertThat(cli.execute(args.toArray(String[]::new))).as(err.toString()).isZero();
        return JSON.readTree(out.toString()).get("metrics");
    }

    private static String openAi(String... models) {
        StringBuilder yaml = new StringBuilder("models:\n");
        for (String m : models) {
            yaml.append("  - {name: ").append(m).append(", provider: openai, base_url: \"http://127.0.0.1:1/v1\"}\n");
        }
        return yaml.toString();
    }

    /**
     * o4-mini ($1.10 / $4.40 per 1M; flex $0.55 / $2.20), 1,000 in / 1,000 out asked on flex: the gateway passes the
     * caller's tier through to a model that configures none and bills flex, $0.00055 + $0.0022 = $0.00275 (not the
     * standard $0.0055). A deployment configured with {@code service_tier: flex} asks for flex whatever the caller
     * asked (here priority), so it too bills $0.00275.
     */
    @Test
    void givenACallerAskingForFlex_whenReplayed_thenAfterIsBilledOnFlexAsTheGatewayBillsIt() throws Exception {
        String trace = """
                {"request":{"model":"o4-mini","service_tier":"flex","messages":[{"role":"user","content":"f5"}]},\
                "usage":{"prompt_tokens":1000,"completion_tokens":1000}}
                """;
        String config = openAi("o4-mini") + """
                  - {name: o4-flex, provider: openai, model: o4-mini, service_tier: flex,
                     base_url: "http://127.0.0.1:1/v1"}
                pipelines:
                  o4-mini: {}
                  batch: {default_route: o4-flex}
                """;

        JsonNode same = replay(trace, config, "o4-mini");
        JsonNode dry = replay(trace, config, "o4-mini", "--dry-run");
        JsonNode deployment = replay(trace.replace("\"flex\"", "\"priority\""), config, "batch");

        assertThat(same.get("before.total").decimalValue()).isEqualByComparingTo("0.00275");
        assertThat(same.get("after.total").decimalValue()).isEqualByComparingTo("0.00275");
        assertThat(same.get("savings.total").decimalValue()).isEqualByComparingTo("0");
        assertThat(dry.get("after.total").decimalValue()).isEqualByComparingTo("0.00275");
        assertThat(deployment.get("after.total").decimalValue()).isEqualByComparingTo("0.00275");
    }

    /**
     * gpt-4o ($2.50 in, $1.25 cached, $10 out), 5,000 prompt tokens of which the provider read 4,000 from its prompt
     * cache, 100 out: 1,000 × 2.50 + 4,000 × 1.25 + 100 × 10 per 1M = $0.0085, before and, through the unchanged
     * pipeline, after: what the gateway charged. On gpt-4o-mini ($0.15, $0.075, $0.60), another OpenAI model, the
     * same share stays cached: $0.00015 + $0.0003 + $0.00006 = $0.00051. On Anthropic's claude-haiku-4-5 ($1 / $5)
     * the cache is cold: 5,000 × 1 + 100 × 5 per 1M = $0.0055.
     */
    @Test
    void givenRecordedPromptCacheReads_whenReplayed_thenAfterBillsThemOnTheSameProviderAndNotOnAnother()
            throws Exception {
        String trace = """
                {"request":{"model":"gpt-4o","messages":[{"role":"user","content":"q4"}]},\
                "usage":{"prompt_tokens":5000,"completion_tokens":100,"prompt_tokens_details":{"cached_tokens":4000}}}
                """;
        String config = openAi("gpt-4o", "gpt-4o-mini") + """
                  - {name: claude-haiku-4-5, provider: anthropic}
                pipelines:
                  gpt-4o: {}
                  mini: {default_route: gpt-4o-mini}
                  claude: {default_route: claude-haiku-4-5}
                """;

        JsonNode same = replay(trace, config, "gpt-4o");
        JsonNode dry = replay(trace, config, "gpt-4o", "--dry-run");
        JsonNode mini = replay(trace, config, "mini");
        JsonNode claude = replay(trace, config, "claude");

        assertThat(same.get("before.total").decimalValue()).isEqualByComparingTo("0.0085");
        assertThat(same.get("after.total").decimalValue()).isEqualByComparingTo("0.0085");
        assertThat(same.get("savings.total").decimalValue()).isEqualByComparingTo("0");
        assertThat(dry.get("after.total").decimalValue()).isEqualByComparingTo("0.0085");
        assertThat(mini.get("after.total").decimalValue()).isEqualByComparingTo("0.00051");
        assertThat(claude.get("after.total").decimalValue()).isEqualByComparingTo("0.0055");
    }
}
