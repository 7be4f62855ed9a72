package dev.costwise.planner.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Renders a {@link PlanReport} as JSON: metrics as numbers, claims, tables and chart data. */
public final class JsonReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    /**
     * @param report the report
     * @return pretty-printed JSON
     */
    public static String render(PlanReport report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("kind", report.kind());
        root.put("title", report.title());
        ArrayNode notes = root.putArray("notes");
        report.notes().forEach(notes::add);
        ObjectNode metrics = root.putObject("metrics");
        report.metrics().forEach(metrics::put);
        ArrayNode claims = root.putArray("claims");
        for (PlanReport.ClaimCheck c : report.claims()) {
            ObjectNode o = claims.addObject();
            o.put("claim", c.label());
            o.put("metric", c.metric());
            o.put("spec", c.spec());
            c.max().ifPresent(m -> o.put("specMax", m));
            o.put("simulated", c.simulated());
            if (Double.isFinite(c.differencePercent())) {
                o.put("differencePercent", c.differencePercent());
            }
            o.put("matches", c.matches());
            o.put("verdict", c.verdict());
        }
        ArrayNode tables = root.putArray("tables");
        for (PlanReport.Table t : report.tables()) {
            ObjectNode o = tables.addObject();
            o.put("title", t.title());
            ArrayNode headers = o.putArray("headers");
            t.headers().forEach(headers::add);
            ArrayNode rows = o.putArray("rows");
            for (List<String> row : t.rows()) {
                ArrayNode r = rows.addArray();
                row.forEach(r::add);
            }
        }
        ObjectNode charts = root.putObject("charts");
        charts.put("costBefore", report.charts().costBefore());
        charts.put("costAfter", report.charts().costAfter());
        ObjectNode byModel = charts.putObject("costByModel");
        report.charts().costByModel().forEach(byModel::put);
        ObjectNode routes = charts.putObject("routes");
        report.charts().routes().forEach(routes::put);
        ArrayNode timeline = charts.putArray("hitRateTimeline");
        report.charts().hitRateTimeline().forEach(timeline::add);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write report JSON", e);
        }
    }
}
