package dev.costwise.planner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PlannerCommandsTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Object command, String... args) {
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void givenBuiltInScenario_whenSimulatedAsJson_thenPrintsMetricsAndWritesHtml(@TempDir Path dir) throws Exception {
        Path html = dir.resolve("r.html");
        int code = run(new SimulateCommand(), "pattern5b", "--format", "json", "--html", html.toString());

        assertThat(code).isZero();
        assertThat(out.toString()).contains("\"after.perDay\"").contains("wrote HTML report to " + html);
        assertThat(Files.readString(html)).contains("<svg ");
    }

    @Test
    void givenUnknownScenarioOrFormat_whenSimulated_thenExitCode2AndAClearMessage() {
        assertThat(run(new SimulateCommand(), "pattern9")).isEqualTo(2);
        assertThat(err.toString()).contains("'pattern9' is neither a built-in scenario").contains("pattern1");
        assertThat(run(new SimulateCommand(), "pattern5b", "--format", "pdf")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown --format 'pdf'");
    }

    @Test
    void givenFixtureTrace_whenReplayedDryRun_thenPrintsRoutesAndBadLinesOnStderr() throws Exception {
        Path trace = Path.of(PlannerCommandsTest.class.getResource("/traces/fixture.jsonl").toURI());
        int code = run(new ReplayCommand(), trace.toString(), "--dry-run");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("Replay (dry run)").contains("Where each request would go");
        assertThat(err.toString()).contains("skipped line 4: malformed JSON").contains("skipped line 6");
    }

    @Test
    void givenSimulateHelp_whenShown_thenTheFormatsAreListed() {
        assertThat(run(new SimulateCommand(), "--help")).isZero();

        assertThat(out.toString().replaceAll("\\s+", " "))
                .contains("Report format: table, json, csv, html (default: table)");
    }

    @Test
    void givenMoreBadLinesThanTheNotesName_whenReplayed_thenTheNotesCountTheRestListedInTheBadLinesTable(
            @TempDir Path dir) throws Exception {
        Path trace = dir.resolve("t.jsonl");
        Files.writeString(trace, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n"
                + "not json\n".repeat(6) + "{\"timestamp\":\"not-a-time\",\"request\":{\"model\":\"gpt-4o\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}\n");

        assertThat(run(new ReplayCommand(), trace.toString(), "--dry-run")).isZero();

        String report = out.toString();
        int table = report.indexOf("\nBad lines\n");
        String notes = report.substring(0, table);
        assertThat(notes).contains("skipped line 6").doesNotContain("skipped line 7")
                .contains("skipped 2 more lines, listed under Bad lines");
        assertThat(report.substring(table)).contains("7").contains("8")
                .contains("timestamp");
    }

    @Test
    void givenGatewayConfig_whenReplayed_thenItsAutoPipelineRoutesTheTrace() throws Exception {
        Path trace = Path.of(PlannerCommandsTest.class.getResource("/traces/fixture.jsonl").toURI());
        Path config = Path.of(PlannerCommandsTest.class.getResource("/traces/gateway-config.yaml").toURI());
        int code = run(new ReplayCommand(), trace.toString(), "--gateway-config", config.toString(),
                "--format", "json");

        assertThat(code).isZero();
        // Short prompts are "simple" by length and match the gateway's `cheap` route (max_chars 2000).
        assertThat(out.toString()).contains("\"after.route.cheap.requests\" : 3");
    }
}
