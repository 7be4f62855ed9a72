package dev.costwise.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs parts of the dashboard's own script ({@code dashboard.html}) with Node, so tests check what the page shows.
 * Skips the test where Node is missing, except under {@code CI=true}.
 */
public final class DashboardScript {
    private DashboardScript() {}

    /**
     * @param starts how each definition wanted starts, such as {@code const money = } or {@code function groupRows(}
     * @return those definitions of the page's script, each up to the line that closes it
     */
    public static String definitions(String... starts) throws IOException {
        String html;
        try (InputStream in = DashboardPage.class.getResourceAsStream("dashboard.html")) {
            html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder out = new StringBuilder();
        for (String start : starts) {
            int from = html.indexOf(start);
            assertThat(from).as("dashboard.html defines " + start).isNotNegative();
            int end = html.indexOf('\n', from);
            if (!html.substring(from, end).endsWith(";")) {
                end = html.indexOf("\n}", from) + 2; // the first unindented "}" closes it
            }
            out.append(html, from, end).append(";\n");
        }
        return out.toString();
    }

    /**
     * @param script JavaScript to run; it reads its arguments from {@code process.argv.slice(1)}
     * @param args its arguments
     * @return the lines it printed
     */
    public static List<String> run(String script, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "-e", script));
        command.addAll(args);
        Process node;
        try {
            node = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            String why = "Node is not on the PATH: " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true: what the dashboard shows must be checked)");
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
