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
import picocli.CommandLine;

/** Runs {@code costwise replay --gateway-config} on a trace and a gateway configuration, for tests. */
final class GatewayReplay {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final Path dir;

    /** @param dir where the trace and the configuration are written */
    GatewayReplay(Path dir) {
        this.dir = dir;
    }

    /** @return the JSON report's metrics of replaying {@code trace} through {@code pipeline} of {@code config} */
    JsonNode replay(String trace, String config, String pipeline, String... more) throws Exception {
        Path t = Files.writeString(dir.resolve("trace.jsonl"), trace);
        Path c = Files.writeString(dir.resolve("gw.yaml"), config);
        CommandLine cli = new CommandLine(new ReplayCommand());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> args = new ArrayList<>(List.of(t.toString(), "--gateway-config", c.toString(), "--pipeline",
                pipeline, "-f", "json"));
        args.addAll(List.of(more));
        assertThat(cli.execute(args.toArray(String[]::new))).as(err.toString()).isZero();
        return JSON.readTree(out.toString()).get("metrics");
    }

    /** @return a {@code models:} section deploying each of {@code models} on OpenAI */
    static String openAi(String... models) {
        StringBuilder yaml = new StringBuilder("models:\n");
        for (String m : models) {
            yaml.append("  - {name: ").append(m).append(", provider: openai, base_url: \"http://127.0.0.1:1/v1\"}\n");
        }
        return yaml.toString();
    }
}
