package dev.costwise.planner.report;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A planner report, whatever produced it (a simulation or a replay): tables for people, named metrics for machines,
 * the spec's claims checked against the simulated figures, and the data of the charts. Rendered by
 * {@link TerminalReport}, {@link JsonReport}, {@link CsvReport} and {@link HtmlReport}.
 *
 * @param kind {@code simulate} or {@code replay}
 * @param title the heading
 * @param notes lines shown under the heading (assumptions, simulated providers...)
 * @param tables the tables, in order
 * @param metrics every figure by name (such as {@code after.perDay}), in order
 * @param claims the spec's figures checked, empty for a replay
 * @param charts what the HTML charts draw
 */
public record PlanReport(String kind, String title, List<String> notes, List<Table> tables,
        Map<String, BigDecimal> metrics, List<ClaimCheck> claims, Charts charts) {

    public PlanReport {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(title, "title");
        notes = List.copyOf(notes);
        tables = List.copyOf(tables);
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        claims = List.copyOf(claims);
        Objects.requireNonNull(charts, "charts");
    }

    /**
     * @param note a line to show under the heading, after the others
     * @return this report with the note added
     */
    public PlanReport withNote(String note) {
        List<String> more = new java.util.ArrayList<>(notes);
        more.add(Objects.requireNonNull(note, "note"));
        return new PlanReport(kind, title, more, tables, metrics, claims, charts);
    }

    /**
     * A metric by name.
     *
     * @param name such as {@code after.perDay}
     * @return the value, if the report has it
     */
    public Optional<BigDecimal> metric(String name) {
        return Optional.ofNullable(metrics.get(name));
    }

    /**
     * A table.
     *
     * @param title the table's heading
     * @param headers column names
     * @param rows the cells, each row as long as {@code headers}
     */
    public record Table(String title, List<String> headers, List<List<String>> rows) {
        public Table {
            Objects.requireNonNull(title, "title");
            headers = List.copyOf(headers);
            rows = rows.stream().map(List::copyOf).toList();
            for (List<String> row : rows) {
                if (row.size() != headers.size()) {
                    throw new IllegalArgumentException("table '" + title + "': row " + row + " has " + row.size()
                            + " cells for " + headers.size() + " columns");
                }
            }
        }
    }

    /**
     * One spec figure against the simulated one.
     *
     * @param label the claim
     * @param metric the metric compared
     * @param spec the spec's figure (lower end of a range)
     * @param max the upper end of a claimed range
     * @param simulated the simulated figure
     * @param differencePercent (simulated − spec) / spec × 100
     * @param matches within the tolerance
     * @param verdict "matches" or why it differs
     */
    public record ClaimCheck(String label, String metric, BigDecimal spec, java.util.Optional<BigDecimal> max,
            BigDecimal simulated,
            double differencePercent, boolean matches, String verdict) {}

    /**
     * What the charts draw.
     *
     * @param costBefore dollars before (per day for a simulation, in total for a replay)
     * @param costAfter dollars after
     * @param costByModel dollars after, per model
     * @param routes requests per route, after
     * @param hitRateTimeline cache hit rate over the run, in equal slices
     */
    public record Charts(BigDecimal costBefore, BigDecimal costAfter, Map<String, BigDecimal> costByModel,
            Map<String, Long> routes, List<Double> hitRateTimeline) {
        public Charts {
            Objects.requireNonNull(costBefore, "costBefore");
            Objects.requireNonNull(costAfter, "costAfter");
            costByModel = Collections.unmodifiableMap(new LinkedHashMap<>(costByModel));
            routes = Collections.unmodifiableMap(new LinkedHashMap<>(routes));
            hitRateTimeline = List.copyOf(hitRateTimeline);
        }
    }
}
