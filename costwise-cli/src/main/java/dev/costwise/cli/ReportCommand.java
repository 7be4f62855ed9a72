package dev.costwise.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.pipeline.SpendBreakdown;
import dev.costwise.planner.report.CsvReport;
import dev.costwise.store.JdbcSpendLedger;
import dev.costwise.store.LedgerOptions;
import dev.costwise.store.ReportDimension;
import dev.costwise.store.SpendLedgerException;
import dev.costwise.store.SpendLedgers;
import dev.costwise.store.SpendRow;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code costwise report}: spend from the ledger, grouped by a dimension, as a table, CSV or JSON. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Report spend from the ledger as a table, CSV or JSON.")
final class ReportCommand implements Callable<Integer> {
    enum Format { TABLE, CSV, JSON }

    @Option(names = "--ledger", description = "ledger SQLite path or JDBC URL (default: the config's ledger.url, "
            + "else ./costwise-data/ledger.db)")
    String ledger;

    @Option(names = {"-c", "--config"}, description = "YAML config whose ledger to read (default: $COSTWISE_CONFIG,"
            + " else the embedded default)")
    Path config;

    @Option(names = "--by", description = "model, provider, key, user, team, feature, service_tier or day (default: "
            + "${DEFAULT-VALUE})", defaultValue = "model")
    ReportDimension by;

    @Option(names = "--days", description = "how many UTC days, today included (default: ${DEFAULT-VALUE})",
            defaultValue = "30")
    int days;

    @Option(names = "--format", description = "table, csv or json (default: ${DEFAULT-VALUE})", defaultValue = "table")
    Format format;

    @Override
    public Integer call() throws Exception {
        if (days < 1) {
            System.err.println("costwise report: --days must be >= 1, was " + days);
            return 2;
        }
        String location;
        try {
            location = ledger != null ? ledger : ConfigSource.load(Optional.ofNullable(config)).ledgerUrl()
                    .orElse(SpendLedgers.DEFAULT_PATH);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("costwise report: " + e.getMessage());
            return 2;
        }
        // Whole UTC days, today included: days that retention rolled into daily totals count only when covered whole.
        Instant now = Instant.now();
        Instant from = now.atZone(ZoneOffset.UTC).toLocalDate().minusDays(days - 1L).atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        Instant to = now.plusSeconds(1);
        List<SpendRow> rows;
        try (JdbcSpendLedger l = SpendLedgers.openExisting(location, LedgerOptions.ofDefaults())) {
            rows = SpendBreakdown.of(l).spendBy(by, from, to); // "(none)" for no tag, as /v1/spend says
        } catch (SpendLedgerException | IllegalArgumentException e) {
            System.err.println("costwise report: " + e.getMessage());
            return 1;
        }
        PrintStream out = System.out;
        switch (format) {
            case TABLE -> {
                out.printf("%-32s %9s %9s %12s %12s %14s %14s%n", by.name(), "REQUESTS", "ATTEMPTS", "INPUT_TOK",
                        "OUTPUT_TOK", "COST", "SAVED");
                Money cost = Money.ZERO;
                Money saved = Money.ZERO;
                for (SpendRow r : rows) {
                    out.printf("%-32s %9d %9d %12d %12d %14s %14s%n", r.group(), r.requests(), r.attempts(),
                            r.inputTokens(), r.outputTokens(), r.cost().format(), r.savings().format());
                    cost = cost.plus(r.cost());
                    saved = saved.plus(r.savings());
                }
                String period = "TOTAL (last " + days + (days == 1 ? " day)" : " days)");
                out.printf("%-32s %9s %9s %12s %12s %14s %14s%n", period, "", "", "", "", cost.format(),
                        saved.format());
            }
            case CSV -> {
                out.println(by.name().toLowerCase() + ",requests,attempts,input_tokens,output_tokens,cost,"
                        + "baseline_cost,savings,cached_input_tokens,cache_write_tokens,reasoning_tokens");
                for (SpendRow r : rows) {
                    out.println(CsvReport.cell(r.group()) + "," + r.requests() + "," + r.attempts() + ","
                            + r.inputTokens() + "," + r.outputTokens() + "," + r.cost() + "," + r.baselineCost() + ","
                            + r.savings() + ","
                            + r.cachedInputTokens() + "," + r.cacheWriteTokens() + "," + r.reasoningTokens());
                }
            }
            case JSON -> {
                ObjectMapper json = new ObjectMapper();
                ObjectNode root = json.createObjectNode();
                root.put("by", by.name().toLowerCase()).put("from", from.toString()).put("to", to.toString());
                ArrayNode data = root.putArray("data");
                for (SpendRow r : rows) {
                    data.addObject().put("group", r.group()).put("requests", r.requests())
                            .put("attempts", r.attempts()).put("input_tokens", r.inputTokens())
                            .put("cached_input_tokens", r.cachedInputTokens())
                            .put("cache_write_tokens", r.cacheWriteTokens())
                            .put("output_tokens", r.outputTokens()).put("reasoning_tokens", r.reasoningTokens())
                            .put("cost", r.cost().toString())
                            .put("baseline_cost", r.baselineCost().toString()).put("savings", r.savings().toString());
                }
                out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            }
        }
        return 0;
    }
}
