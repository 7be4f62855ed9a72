package dev.costwise.planner.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import dev.costwise.planner.Planner;
import dev.costwise.planner.ScenarioFile;
import dev.costwise.planner.engine.RequestOutcome;
import dev.costwise.planner.engine.Savings;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Requests the after pipeline fails are not savings. 10 requests/day of 200,000 prompt tokens and 1,000 answer
 * tokens: before on gpt-4.1 ($2 / $8 per 1M) each costs 0.4 + 0.008 = $0.408, $4.08/day; after on gpt-4o-mini every
 * request fails (prompt over its 128K window), so nothing is answered and nothing can be called saved.
 */
class FailedRequestSavingsTest {

    private static final String SCENARIO = """
            name: fail
            seed: 1
            daysPerMonth: 30
            traffic: {requestsPerDay: 10, promptTokens: 200000, outputTokens: 1000}
            before: {model: {model: gpt-4.1}}
            after: {model: {model: gpt-4o-mini}}
            """;

    private final PlanReport report = Planner.ofDefaults().simulate(new ScenarioFile("fail.yaml", SCENARIO));

    @Test
    void givenEveryAfterRequestFails_whenSimulated_thenSavingsAreZeroAndTheirBeforeCostIsExcluded() {
        assertThat(report.metric("before.perDay").orElseThrow()).isEqualByComparingTo("4.08");
        assertThat(report.metric("after.failed").orElseThrow()).isEqualByComparingTo("10");
        assertThat(report.metric("savings.perDay").orElseThrow()).isEqualByComparingTo("0");
        assertThat(report.metric("savings.perMonth").orElseThrow()).isEqualByComparingTo("0");
        assertThat(report.metric("savings.percent").orElseThrow()).isEqualByComparingTo("0");
        assertThat(report.metric("savings.answeredRequests").orElseThrow()).isEqualByComparingTo("0");
        assertThat(report.metric("savings.excludedRequests").orElseThrow()).isEqualByComparingTo("10");
        assertThat(report.metric("savings.excludedBefore.perDay").orElseThrow()).isEqualByComparingTo("4.08");
    }

    @Test
    void givenEveryAfterRequestFails_whenRendered_thenEveryFormatSaysTheyAreExcluded() {
        List<List<String>> cost = report.tables().getFirst().rows();
        assertThat(cost).extracting(row -> String.join(" | ", row)).containsExactly(
                "Before | $4.08 | $122.40 | ", "After | $0.00 | $0.00 | ",
                "Savings (answered requests only) | $0.00 | $0.00 | n/a: no request answered",
                "Not answered after (10 of 10 requests) | $4.08 | $122.40 | before-cost not in savings");
        assertThat(report.notes()).contains("10 of 10 requests were not answered (failed or rejected) by the after"
                + " pipeline; no request was answered, so there are no savings to compare: the before-cost of those"
                + " 10 ($4.08/day) is excluded.");
        assertThat(CsvReport.render(report)).contains("\r\nsavings.perDay,0\r\n", "\r\nsavings.excludedRequests,10\r\n",
                "Not answered after (10 of 10 requests),$4.08,$122.40,before-cost not in savings");
        assertThat(JsonReport.render(report)).contains("\"savings.excludedRequests\" : 10");
        assertThat(HtmlReport.render(report)).contains("Not answered after (10 of 10 requests)",
                "before-cost of those 10 ($4.08/day) is excluded");
    }

    @Test
    void givenSavingsOverOutcomes_whenSomeFailed_thenOnlyTheAnsweredAreCompared() {
        RequestOutcome answered = new RequestOutcome("1", "-", Optional.of("m"), false,
                Money.of(new BigDecimal("0.00075")), 0, false, false, Optional.empty());
        RequestOutcome failed = new RequestOutcome("2", "-", Optional.empty(), false,
                Money.of(new BigDecimal("0.001")), 0, false, false, Optional.of("m: timeout"));

        Savings s = Savings.of(List.of(Money.of(new BigDecimal("0.010")), Money.of(new BigDecimal("0.408"))),
                List.of(answered, failed));

        assertThat(s.answered()).isEqualTo(1);
        assertThat(s.amount()).isEqualByComparingTo("0.00925");
        assertThat(s.percent()).isEqualByComparingTo("92.5");
        assertThat(s.excluded()).isEqualTo(1);
        assertThat(s.excludedBefore()).isEqualTo(Money.of(new BigDecimal("0.408")));
        assertThat(s.excludedAfter()).isEqualTo(Money.of(new BigDecimal("0.001")));
    }
}
