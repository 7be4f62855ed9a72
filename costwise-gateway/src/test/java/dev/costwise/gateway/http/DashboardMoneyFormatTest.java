package dev.costwise.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.Money;
import java.util.List;
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
        String script = DashboardScript.definitions("const money = ")
                + "for (const s of process.argv.slice(1)) console.log(money(s));";
        List<String> shown = DashboardScript.run(script, AMOUNTS);

        List<String> expected = AMOUNTS.stream().map(a -> Money.of(a).format()).toList();
        assertThat(shown).containsExactlyElementsOf(expected);
    }
}
