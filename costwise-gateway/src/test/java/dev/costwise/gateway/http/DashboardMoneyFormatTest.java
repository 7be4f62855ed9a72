package dev.costwise.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.costwise.core.Money;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs the dashboard's own {@code money} function (JavaScript, in {@code dashboard.html}) with Node and checks that it
 * shows every amount exactly as {@link Money#format()} does for {@code costwise report}. Skips where Node is missing,
 * except under {@code CI=true}.
 */
class DashboardMoneyFormatTest {

    private static final List<String> AMOUNTS = List.of("0", "0.00", "4950", "19.5", "19.500", "-1234567.0165",
            "1.0000001", "1.0000005", "1.0000015", "1.00000050001", "0.0000125", "0.0000135", "0.00006435",
            "0.00000012345", "0.0000001235", "0.0000001245", "-0.0000000004", "0.0000009999", "0.9999995",
            "123456789.123456789", "-0.0000005", "0.000001");

    @Test
    void givenTheLedgersAmounts_whenTheDashboardFormatsThem_thenItShowsWhatTheReportShows() throws Exception {
        String script = moneyFunction() + "\nfor (const s of process.argv.slice(1)) console.log(money(s));";
        List<String> command = new java.util.ArrayList<>(List.of("node", "-e", script));
        command.addAll(AMOUNTS);
        List<String> shown = run(command);

        List<String> expected = AMOUNTS.stream().map(a -> Money.of(a).format()).toList();
        assertThat(shown).containsExactlyElementsOf(expected);
    }

    private static String moneyFunction() throws IOException {
        String html;
        try (InputStream in = DashboardPage.class.getResourceAsStream("dashboard.html")) {
            html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int start = html.indexOf("const money = ");
        int end = html.indexOf("\n};\n", start);
        assertThat(start).as("dashboard.html defines money").isNotNegative();
        return html.substring(start, end + 3);
    }

    private static List<String> run(List<String> command) throws Exception {
        Process node;
        try {
            node = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            String why = "Node is not on the PATH: " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true: the dashboard's formatting must be checked)");
            }
            Assumptions.abort(why);
            throw e;
        }
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).as("node finished").isTrue();
        assertThat(node.exitValue()).as("node failed: %s", out).isZero();
        return out.lines().toList();
    }
}
