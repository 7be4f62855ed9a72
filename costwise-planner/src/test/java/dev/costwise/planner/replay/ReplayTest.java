package dev.costwise.planner.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import dev.costwise.planner.Planner;
import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.scenario.PipelineSpec;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays {@code traces/fixture.jsonl} (8 lines) through {@code traces/pipeline.yaml}: a 1-hour cache, prompts under
 * 100 characters to GPT-4o-mini, the rest to GPT-4o.
 *
 * <pre>
 * line 1: gpt-4o, 1,000 in / 1,000 out recorded. Before: 1000*2.50/1M + 1000*10/1M = $0.0125.
 *         28-char prompt -> cheap (gpt-4o-mini): 1000*0.15/1M + 1000*0.60/1M = $0.00075.
 * line 2: the same request a minute later. Before $0.0125; after: cache hit, $0.
 * line 3: gpt-4o, 2,000 in / 500 out. Before: 2000*2.50/1M + 500*10/1M = $0.01. 118-char prompt -> premium
 *         (gpt-4o): $0.01.
 * line 4: malformed JSON. line 5: no messages. line 6: unknown model gpt-9. line 7: blank (not counted).
 * line 8: gpt-4o-mini, no usage: prompt counted by jtokkit (E tokens), answer = min(max_tokens 100, assumed 300)
 *         = 100 tokens: E*0.15/1M + 100*0.60/1M, before and after (routed cheap, same model).
 * Totals: before $0.035 + L8, after $0.01075 + L8; cache hit rate 1/4; routes cheap 2, premium 1.
 * </pre>
 */
class ReplayTest {

    private final ModelCatalog catalog = ModelCatalogs.bundled();
    private final Planner planner = Planner.of(catalog);

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(ReplayTest.class.getResource("/traces/" + name).toURI());
    }

    private PipelineSpec pipeline() throws IOException {
        try (InputStream in = ReplayTest.class.getResourceAsStream("/traces/pipeline.yaml")) {
            return planner.reader().readPipeline(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    "pipeline.yaml");
        }
    }

    private BigDecimal line8() {
        ChatRequest hi = ChatRequest.builder("gpt-4o-mini").addMessage(Message.user("Hi")).maxTokens(100).build();
        long e = JtokkitTokenEstimator.of(catalog).estimateInput("gpt-4o-mini", hi).tokens();
        return new BigDecimal("0.00000015").multiply(BigDecimal.valueOf(e)).add(new BigDecimal("0.00006"));
    }

    @Test
    void givenFixtureTrace_whenReplayed_thenBeforeAndAfterMatchHandComputedCosts() throws Exception {
        ReplayResult r = planner.replay(resource("fixture.jsonl"), pipeline(), ReplayOptions.defaults());

        assertThat(r.costBefore()).isEqualTo(Money.of(new BigDecimal("0.035").add(line8())));
        assertThat(r.after().cost()).isEqualTo(Money.of(new BigDecimal("0.01075").add(line8())));
        assertThat(r.estimatedBefore()).isEqualTo(1);
        assertThat(r.after().requests()).isEqualTo(4);
        assertThat(r.after().cacheHits()).isEqualTo(1);
        assertThat(r.after().cacheHitRate()).isEqualTo(0.25);
        assertThat(r.after().routes()).containsExactly(java.util.Map.entry("cheap", 2L),
                java.util.Map.entry("premium", 1L));
        assertThat(r.after().outcomes()).extracting(RequestOutcome::id)
                .containsExactly("line 1", "line 2", "line 3", "line 8");
        assertThat(r.report().metric("badLines").orElseThrow()).isEqualByComparingTo("3");
    }

    @Test
    void givenMalformedLines_whenReplayed_thenEachIsReportedWithLineNumberAndReasonAndSkipped() throws Exception {
        ReplayResult r = planner.replay(resource("fixture.jsonl"), pipeline(), ReplayOptions.defaults());

        assertThat(r.lines()).isEqualTo(7);
        assertThat(r.errors()).extracting(TraceError::line).containsExactly(4, 5, 6);
        assertThat(r.errors().get(0).reason()).startsWith("malformed JSON");
        assertThat(r.errors().get(1).reason()).contains("not an OpenAI chat request: messages: is required");
        assertThat(r.errors().get(2).reason()).contains("unknown model").contains("gpt-9");
        assertThat(r.report().tables()).filteredOn(t -> t.title().equals("Bad lines")).singleElement()
                .satisfies(t -> assertThat(t.rows()).extracting(row -> row.getFirst()).containsExactly("4", "5", "6"));
    }

    @Test
    void givenDryRun_whenReplayed_thenListsWhereEachRequestGoesWithEstimatedCost() throws Exception {
        ReplayResult r = planner.replay(resource("fixture.jsonl"), pipeline(),
                ReplayOptions.defaults().withDryRun(true));

        List<List<String>> rows = r.report().tables().stream()
                .filter(t -> t.title().startsWith("Where each request would go")).findFirst().orElseThrow().rows();
        assertThat(rows).extracting(row -> row.get(0) + " " + row.get(2) + " " + row.get(3) + " " + row.get(4))
                .containsExactly("1 cheap gpt-4o-mini $0.00075", "2 cache (cache) $0.00", "3 premium gpt-4o $0.01",
                        "8 cheap gpt-4o-mini " + dev.costwise.planner.report.TerminalReportAccess.money(line8()));
        assertThat(r.after().cost()).isEqualTo(Money.of(new BigDecimal("0.01075").add(line8())));
        assertThat(r.report().notes().getFirst()).contains("no model was called");
    }

    @Test
    void givenJudgeOffline_whenReplayed_thenSampleIsJudgedAndReportSaysTheJudgeIsSimulated() throws Exception {
        ReplayResult r = planner.replay(resource("fixture.jsonl"), pipeline(),
                ReplayOptions.defaults().withJudge("gpt-4o", 2));

        JudgeSummary judge = r.judge().orElseThrow();
        assertThat(judge.judged()).isEqualTo(2);
        assertThat(judge.judge()).contains("simulated offline");
        assertThat(r.report().notes()).anyMatch(n -> n.contains("simulated offline"));
        assertThat(r.report().metric("judge.keptQualityPercent")).isPresent();
    }

    /**
     * Line 1: 200,000 in / 1,000 out on gpt-4.1 ($2 / $8 per 1M): before $0.408; after, gpt-4o-mini fails it (prompt
     * over its 128K window). Line 2: 1,000 / 1,000 on gpt-4.1: before $0.002 + $0.008 = $0.01; after on gpt-4o-mini
     * $0.00015 + $0.0006 = $0.00075. Savings count line 2 only: $0.00925, 92.5%.
     */
    @Test
    void givenARequestThePipelineFails_whenReplayed_thenItsBeforeCostIsExcludedFromTheSavings(@TempDir Path dir)
            throws Exception {
        Path trace = dir.resolve("t.jsonl");
        Files.writeString(trace, """
                {"request":{"model":"gpt-4.1","messages":[{"role":"user","content":"long doc"}]},\
                "usage":{"prompt_tokens":200000,"completion_tokens":1000}}
                {"request":{"model":"gpt-4.1","messages":[{"role":"user","content":"short"}]},\
                "usage":{"prompt_tokens":1000,"completion_tokens":1000}}
                """);
        PipelineSpec mini = planner.reader().readPipeline("model: {model: gpt-4o-mini}", "p.yaml");

        ReplayResult r = planner.replay(trace, mini, ReplayOptions.defaults());

        assertThat(r.costBefore()).isEqualTo(Money.of(new BigDecimal("0.418")));
        assertThat(r.after().failed()).isEqualTo(1);
        assertThat(r.savings().amount()).isEqualByComparingTo("0.00925");
        assertThat(r.report().metric("savings.total").orElseThrow()).isEqualByComparingTo("0.00925");
        assertThat(r.report().metric("savings.percent").orElseThrow()).isEqualByComparingTo("92.5");
        assertThat(r.report().metric("savings.excludedRequests").orElseThrow()).isEqualByComparingTo("1");
        assertThat(r.report().metric("savings.excludedBefore.total").orElseThrow()).isEqualByComparingTo("0.408");
        assertThat(r.report().tables().getFirst().rows()).extracting(row -> String.join(" | ", row))
                .contains("savings (answered requests only), trace total | $0.00925 (92.5%)",
                        "Not answered after (1 of 2 requests) | $0.408 before-cost not in savings");
        assertThat(r.report().notes()).anyMatch(n -> n.startsWith("1 of 2 requests was not answered"));
    }

    @Test
    void givenModelJudgeAnswers_whenParsed_thenVerdictsAreRead() {
        assertThat(ModelJudge.parse("{\"verdict\": \"same\", \"reason\": \"equal\"}")).isEqualTo(Verdict.SAME);
        assertThat(ModelJudge.parse("Sure! {\"verdict\":\"WORSE\"}")).isEqualTo(Verdict.WORSE);
        assertThat(ModelJudge.parse("{\"simulated\":true,\"answer\":\"x\"}")).isEqualTo(Verdict.UNPARSABLE);
        assertThat(ModelJudge.parse("no json")).isEqualTo(Verdict.UNPARSABLE);
    }
}
