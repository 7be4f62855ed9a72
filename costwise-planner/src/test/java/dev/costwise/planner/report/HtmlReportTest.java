package dev.costwise.planner.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.planner.Planner;
import dev.costwise.planner.ScenarioFile;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HtmlReportTest {

    private final PlanReport report = Planner.ofDefaults().simulate(ScenarioFile.builtIn("pattern1"));

    @Test
    void givenSimulatedReport_whenRenderedAsHtml_thenPageIsSelfContained() {
        String html = HtmlReport.render(report);

        assertThat(html).startsWith("<!DOCTYPE html>").doesNotContain("<script").doesNotContain("<link")
                .doesNotContain("@import").doesNotContainPattern(Pattern.compile("https?://"))
                .doesNotContainPattern(Pattern.compile("(src|href)\\s*="));
    }

    @Test
    void givenSimulatedReport_whenRenderedAsHtml_thenHasTheFourSvgChartsAndTheTables() {
        String html = HtmlReport.render(report);

        assertThat(Pattern.compile("<svg ").matcher(html).results().count()).isEqualTo(4);
        assertThat(html).contains("Cost before and after", "Cost by model (after)", "Route distribution",
                "Cache hit rate over the run", "<polyline", "gpt-4o-mini", "Spec claims", "<rect");
    }

    @Test
    void givenHostileText_whenEscaped_thenNoMarkupSurvives() {
        assertThat(HtmlReport.esc("<script>\"&")).isEqualTo("&lt;script&gt;&quot;&amp;");
    }

    @Test
    void givenReport_whenRenderedAsJsonAndCsv_thenMetricsAndClaimsAreThere() {
        assertThat(JsonReport.render(report)).contains("\"after.perDay\"", "\"claims\"", "\"hitRateTimeline\"");
        String csv = CsvReport.render(report);
        assertThat(csv).startsWith("metric,value\r\n").contains("\r\nafter.perDay,")
                .contains("table,claim,spec,simulated,difference,verdict");
        assertThat(CsvReport.cell("a,b \"c\"")).isEqualTo("\"a,b \"\"c\"\"\"");
    }

    @Test
    void givenCallerTextThatASpreadsheetWouldRunAsAFormula_whenWrittenAsCsv_thenItStaysText() {
        assertThat(CsvReport.cell("=HYPERLINK(\"x\")")).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\"");
        assertThat(CsvReport.cell("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(CsvReport.cell("-2+3+cmd")).isEqualTo("'-2+3+cmd");
        assertThat(CsvReport.cell("line\nbreak")).isEqualTo("\"line\nbreak\"");
        // negative amounts in the report's own columns stay numbers
        assertThat(CsvReport.cell("-0.005")).isEqualTo("-0.005");
        assertThat(CsvReport.cell("-$1,234.50")).isEqualTo("\"-$1,234.50\"");
        assertThat(CsvReport.cell("+12.5%")).isEqualTo("+12.5%");
    }
}
