package dev.costwise.planner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    private static String scenario(long requestsPerDay, long daysPerMonth) {
        return "name: t\ndaysPerMonth: " + daysPerMonth + "\ntraffic: {requestsPerDay: " + requestsPerDay
                + ", promptTokens: 10, outputTokens: 10}\nbefore: {model: gpt-4o}\nafter: {model: gpt-4o-mini}\n";
    }

    @Test
    void givenOutOfRangeDayOrMonth_whenSimulated_thenExitCode2AndTheErrorNamesTheFullPathAndTheLimit(
            @TempDir Path dir) throws Exception {
        Path tooMany = Files.writeString(dir.resolve("many.yaml"), scenario(3_000_000_000L, 30));
        Path none = Files.writeString(dir.resolve("none.yaml"), scenario(0, 30));
        Path wrapped = Files.writeString(dir.resolve("month.yaml"), scenario(10, 4_294_967_297L));

        assertThat(run(new SimulateCommand(), tooMany.toString())).isEqualTo(2);
        assertThat(run(new SimulateCommand(), none.toString())).isEqualTo(2);
        assertThat(run(new SimulateCommand(), wrapped.toString())).isEqualTo(2);

        assertThat(err.toString().lines()).containsExactly(
                "costwise simulate: " + tooMany + ": traffic.requestsPerDay must be <= 1,000,000 (simulate a smaller"
                        + " day and scale: costs are linear), was 3000000000",
                "costwise simulate: " + none + ": traffic.requestsPerDay must be >= 1, was 0",
                "costwise simulate: " + wrapped + ": daysPerMonth must be between 1 and 31, was 4294967297");
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
    void givenAnUnknownBaselineOrJudgeOrABaselineWithoutJudge_whenReplayed_thenExitCode2NamingTheFlagAndNoReport()
            throws Exception {
        String trace = Path.of(PlannerCommandsTest.class.getResource("/traces/fixture.jsonl").toURI()).toString();

        assertThat(run(new ReplayCommand(), trace, "--judge", "gpt-4o", "--baseline", "gpt-4o-mni")).isEqualTo(2);
        assertThat(run(new ReplayCommand(), trace, "--judge", "gpt-9")).isEqualTo(2);
        assertThat(run(new ReplayCommand(), trace, "--baseline", "gpt-4o-mini")).isEqualTo(2);

        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("costwise replay: --baseline: unknown model 'gpt-4o-mni'")
                .contains("gpt-4o-mini").contains("costwise replay: --judge: unknown model 'gpt-9'")
                .contains("costwise replay: --baseline: only used with --judge").doesNotContain("\tat ");
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

    /**
     * A trace line with a Latin-1 byte ("caf\\xe9") is a bad line like any other, with its number, and the rest of the
     * trace is replayed; a Latin-1 byte in a configuration's comment stops the replay with the file, line and byte.
     */
    @Test
    void givenBytesThatAreNotUtf8_whenReplayed_thenTheTraceLineIsABadLineAndTheConfigErrorSaysWhere(
            @TempDir Path dir) throws Exception {
        String good = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n";
        byte[] latin1 = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"caf\u00e9\"}]}\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Path trace = dir.resolve("t.jsonl");
        Files.writeString(trace, good + good);
        Files.write(trace, latin1, java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(trace, good, java.nio.file.StandardOpenOption.APPEND);
        Path config = Files.write(dir.resolve("gw.yaml"), ("models: [{name: gpt-4o, provider: openai}]\n"
                + "# caf\u00e9\npipelines: {auto: {default_route: gpt-4o}}\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));

        assertThat(run(new ReplayCommand(), trace.toString(), "-f", "json")).as(err.toString()).isZero();
        JsonNode m = new ObjectMapper().readTree(out.toString()).get("metrics");
        int failed = run(new ReplayCommand(), trace.toString(), "--gateway-config", config.toString());

        assertThat(m.get("badLines").intValue()).isEqualTo(1);
        assertThat(m.get("replayed").intValue()).isEqualTo(3);
        assertThat(err.toString()).contains("skipped line 3: not valid UTF-8 (at character 60)");
        assertThat(failed).isEqualTo(2);
        assertThat(err.toString()).contains("costwise replay: cannot read gateway config " + config
                + ": not valid UTF-8 at line 2, byte offset 48 (0xe9): save the file as UTF-8");
    }

    /** An empty trace (a wrong path to an empty file) is no $0 success: the report and stderr say nothing ran. */
    @Test
    void givenAnEmptyTraceOrOneOfBadLinesOnly_whenReplayed_thenItWarnsThatNothingWasReplayed(@TempDir Path dir)
            throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "\n  \n");
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "not json\nnot json\n");

        assertThat(run(new ReplayCommand(), empty.toString())).isZero();
        assertThat(run(new ReplayCommand(), bad.toString())).isZero();

        assertThat(err.toString()).contains("costwise replay: Warning: no request was replayed, so every cost is $0:"
                + " the trace is empty (it has no line but blank ones).").contains("Warning: no request was replayed,"
                + " so every cost is $0: each of its 2 lines is bad.");
        assertThat(out.toString()).contains("Warning: no request was replayed");
    }

    /**
     * The configuration lists key team-a, so the gateway takes only requests with a key: each line names it (a bare
     * request is wrapped to name it).
     */
    @Test
    void givenGatewayConfig_whenReplayed_thenItsAutoPipelineRoutesTheTrace(@TempDir Path dir) throws Exception {
        Path fixture = Path.of(PlannerCommandsTest.class.getResource("/traces/fixture.jsonl").toURI());
        Path trace = Files.write(dir.resolve("keyed.jsonl"), Files.readAllLines(fixture).stream()
                .map(line -> line.isBlank() ? line : line.contains("\"request\"")
                        ? line.replaceFirst("^\\{", "{\"key\":\"team-a\",")
                        : "{\"key\":\"team-a\",\"request\":" + line + "}").toList());
        Path config = Path.of(PlannerCommandsTest.class.getResource("/traces/gateway-config.yaml").toURI());
        int code = run(new ReplayCommand(), trace.toString(), "--gateway-config", config.toString(),
                "--format", "json");

        assertThat(code).isZero();
        // Short prompts are "simple" by length and match the gateway's `cheap` route (max_chars 2000).
        assertThat(out.toString()).contains("\"after.route.cheap.requests\" : 3")
                .contains("\"after.rejectedNoKey\" : 0");
    }

    private static final String MINI = "model: {model: gpt-4o-mini}\n";

    private static String line(String timestamp, String prompt) {
        return "{" + timestamp + "\"request\":{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + prompt + "\"}]},\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":1000}}\n";
    }

    private JsonNode metrics(Path trace, Path pipeline) throws Exception {
        assertThat(run(new ReplayCommand(), trace.toString(), "--pipeline", pipeline.toString(), "-f", "json"))
                .isZero();
        return new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(out.toString())
                .get("metrics");
    }

    /**
     * Three requests on Nov 27, 28 and 29 (UTC), each 1,000 in / 1,000 out replayed onto gpt-4o-mini: $0.00075 each,
     * $0.00225 in total; before on gpt-4o $0.0125 each, $0.0375. Spanning 3 days: $0.00075/day after, × 30 = $0.0225
     * a month; before $0.0125/day, $0.375/month.
     */
    @Test
    void givenATraceOverThreeDays_whenReplayed_thenPerDayIsTheTotalOverThreeDaysAndPerMonthThirtyOfThose(
            @TempDir Path dir) throws Exception {
        Path trace = dir.resolve("t.jsonl");
        Files.writeString(trace, line("\"timestamp\":\"2026-11-27T08:00:00Z\",", "a")
                + line("\"timestamp\":\"2026-11-28T08:00:00Z\",", "b")
                + line("\"timestamp\":\"2026-11-29T08:00:00Z\",", "c"));
        Path pipeline = Files.writeString(dir.resolve("p.yaml"), MINI);

        JsonNode m = metrics(trace, pipeline);

        assertThat(m.get("trace.days").decimalValue()).isEqualByComparingTo("3");
        assertThat(m.get("after.total").decimalValue()).isEqualByComparingTo("0.00225");
        assertThat(m.get("after.perDay").decimalValue()).isEqualByComparingTo("0.00075");
        assertThat(m.get("after.perMonth").decimalValue()).isEqualByComparingTo("0.0225");
        assertThat(m.get("before.perDay").decimalValue()).isEqualByComparingTo("0.0125");
        assertThat(m.get("before.perMonth").decimalValue()).isEqualByComparingTo("0.375");
        assertThat(m.get("savings.perMonth").decimalValue()).isEqualByComparingTo("0.3525");
        assertThat(m.get("after.model.gpt-4o-mini.total").decimalValue()).isEqualByComparingTo("0.00225");
        assertThat(m.has("after.model.gpt-4o-mini.perDay")).isFalse();
        assertThat(out.toString()).contains("\"After\", \"$0.00225\", \"$0.00075\", \"$0.0225\", \"\"")
                .contains("Cost over the trace's 3 days (2026-11-27 to 2026-11-29, UTC); per month = per day × 30");
    }

    @Test
    void givenATraceWithoutTimestamps_whenReplayed_thenOnlyTotalsLabelledAsTotalsAndThePeriodIsUnknown(
            @TempDir Path dir) throws Exception {
        Path trace = Files.writeString(dir.resolve("t.jsonl"), line("", "a") + line("", "b"));
        Path pipeline = Files.writeString(dir.resolve("p.yaml"), MINI);

        JsonNode m = metrics(trace, pipeline);

        assertThat(m.get("after.total").decimalValue()).isEqualByComparingTo("0.0015");
        assertThat(m.get("before.total").decimalValue()).isEqualByComparingTo("0.025");
        assertThat(m.has("trace.days")).isFalse();
        assertThat(m.fieldNames()).toIterable().noneMatch(n -> n.endsWith(".perDay") || n.endsWith(".perMonth"));
        assertThat(out.toString()).contains("\"trace period\", \"unknown (no timestamps): costs are trace totals\"")
                .contains("its period is unknown: costs are totals for the whole trace")
                .contains("\"headers\" : [ \"model\", \"calls\", \"failed calls\", \"cost/call\", \"trace total\" ]");
    }

    /**
     * One request, 1,000 in / 1,000 out on gpt-4o (catalog $2.50 / $10: before $0.0125). The gateway config prices
     * gpt-4o-mini at $1 / $2 (catalog: $0.15 / $0.60) and deploys acme-1, a model the catalog lacks, at $3 / $4.
     * After on gpt-4o-mini: $0.001 + $0.002 = $0.003 (not the catalog's $0.00075); on acme: $0.003 + $0.004 = $0.007.
     */
    @Test
    void givenAGatewayConfigWithPrices_whenReplayed_thenTheConfiguredPricesAreUsedEvenForModelsTheCatalogLacks(
            @TempDir Path dir) throws Exception {
        Path trace = Files.writeString(dir.resolve("t.jsonl"), line("", "a"));
        Path config = Files.writeString(dir.resolve("gw.yaml"), """
                models:
                  - {name: gpt-4o-mini, provider: openai, price: {input: "1.00", output: "2.00"}}
                  - {name: acme, provider: openai-compatible, model: acme-1, base_url: "http://x/v1",
                     price: {input: "3.00", output: "4.00"}}
                pipelines:
                  auto: {default_route: gpt-4o-mini}
                  custom: {default_route: acme}
                """);
        ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

        assertThat(run(new ReplayCommand(), trace.toString(), "--gateway-config", config.toString(), "-f", "json"))
                .isZero();
        JsonNode auto = json.readTree(out.toString()).get("metrics");
        out.getBuffer().setLength(0);
        assertThat(run(new ReplayCommand(), trace.toString(), "--gateway-config", config.toString(),
                "--pipeline", "custom", "-f", "json")).as(err.toString()).isZero();
        JsonNode custom = json.readTree(out.toString()).get("metrics");

        assertThat(auto.get("before.total").decimalValue()).isEqualByComparingTo("0.0125");
        assertThat(auto.get("after.total").decimalValue()).isEqualByComparingTo("0.003");
        assertThat(custom.get("after.total").decimalValue()).isEqualByComparingTo("0.007");
        assertThat(custom.get("after.model.acme.calls").decimalValue()).isEqualByComparingTo("1");
    }
}
