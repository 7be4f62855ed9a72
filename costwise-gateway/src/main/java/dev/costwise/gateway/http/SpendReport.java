package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.pipeline.SpendBreakdown;
import dev.costwise.store.ReportDimension;
import dev.costwise.store.SpendRow;
import io.helidon.common.uri.UriQuery;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The body of {@code GET /v1/spend}: spend and savings of a period of whole UTC days, in total and by day, model and
 * key, and by provider, team, user or feature when {@code group_by} asks. The period is {@code from} to {@code to},
 * both inclusive ({@code yyyy-MM-dd}); by default the month so far.
 * Savings are what the baseline (the model the caller asked for, or the answer a cache hit replayed) would have cost
 * minus what was paid.
 */
final class SpendReport {
    private static final Set<String> PARAMETERS = Set.of("from", "to", "group_by");
    /** A day as the report takes it: a four-digit year, then month and day of two digits each. */
    private static final Pattern YYYY_MM_DD = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    /** Groups {@code group_by} may add to the day, model and key ones. */
    private static final Map<String, ReportDimension> EXTRA_GROUPS = extraGroups();

    private final SpendBreakdown breakdown;
    private final ObjectMapper json;
    private final Clock clock;

    SpendReport(SpendBreakdown breakdown, ObjectMapper json, Clock clock) {
        this.breakdown = breakdown;
        this.json = json;
        this.clock = clock;
    }

    /**
     * @param query the request's query
     * @return the report
     * @throws GatewayException.InvalidField for an unknown parameter, a date that does not parse, or {@code from}
     *     after {@code to}
     */
    ObjectNode build(UriQuery query) {
        for (String name : query.names()) {
            if (!PARAMETERS.contains(name)) {
                throw new GatewayException.InvalidField(name, "unknown query parameter (known: from, to,"
                        + " group_by)");
            }
        }
        List<String> extra = groupBy(query);
        Instant now = clock.instant();
        LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
        Optional<LocalDate> fromAsked = day(query, "from");
        Optional<LocalDate> toAsked = day(query, "to");
        LocalDate from = fromAsked.orElse(today.withDayOfMonth(1));
        LocalDate to = toAsked.orElse(today);
        if (from.isAfter(to)) {
            throw emptyPeriod(from, to, fromAsked.isPresent(), toAsked.isPresent());
        }
        Instant start = from.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();

        ObjectNode root = json.createObjectNode();
        root.put("object", "spend").put("currency", "USD").put("as_of", now.toString())
                .put("from", from.toString()).put("to", to.toString());
        List<SpendRow> days = breakdown.spendBy(ReportDimension.DAY, start, end);
        SpendRow total = days.stream().reduce(SpendRow::plus).orElse(new SpendRow("", 0, 0, 0, 0, Money.ZERO,
                Money.ZERO));
        write(root.putObject("total"), total);
        ArrayNode byDay = root.putArray("by_day");
        calendar(days, to.isAfter(today) ? today : to).forEach(d -> write(byDay.addObject().put("day", d.group()), d));
        groups(root.putObject("by_model"), breakdown.spendBy(ReportDimension.MODEL, start, end));
        groups(root.putObject("by_key"), breakdown.spendBy(ReportDimension.KEY, start, end));
        for (String group : extra) {
            groups(root.putObject("by_" + group), breakdown.spendBy(EXTRA_GROUPS.get(group), start, end));
        }
        return root;
    }

    /**
     * Every day from the first with spend to {@code last} (or the last with spend, if later), the days without spend
     * at zero, so a chart spaces days as the calendar does. Days before the first spend are left out: the list is
     * bounded by the ledger's history, whatever period was asked for.
     *
     * @param days the days with spend, in order
     * @param last the period's last day that has begun
     */
    private static List<SpendRow> calendar(List<SpendRow> days, LocalDate last) {
        if (days.isEmpty()) {
            return days;
        }
        Map<String, SpendRow> spent = new LinkedHashMap<>();
        days.forEach(d -> spent.put(d.group(), d));
        LocalDate lastSpent = LocalDate.parse(days.getLast().group());
        LocalDate end = lastSpent.isAfter(last) ? lastSpent : last;
        List<SpendRow> out = new ArrayList<>();
        for (LocalDate d = LocalDate.parse(days.getFirst().group()); !d.isAfter(end); d = d.plusDays(1)) {
            String day = d.toString();
            out.add(spent.getOrDefault(day, new SpendRow(day, 0, 0, 0, 0, Money.ZERO, Money.ZERO)));
        }
        return out;
    }

    /** A period that ends before it starts, blamed on the parameter sent, with the default the other took. */
    private static GatewayException.InvalidField emptyPeriod(LocalDate from, LocalDate to, boolean fromSent,
            boolean toSent) {
        if (!toSent) {
            return new GatewayException.InvalidField("from", "is after to (" + from + " > " + to + "): to was not "
                    + "given and defaults to today (UTC)");
        }
        if (!fromSent) {
            return new GatewayException.InvalidField("to", "is before from (" + to + " < " + from + "): from was not"
                    + " given and defaults to the first day of this month (UTC)");
        }
        return new GatewayException.InvalidField("from", "is after to (" + from + " > " + to + ")");
    }

    private static Map<String, ReportDimension> extraGroups() {
        Map<String, ReportDimension> groups = new LinkedHashMap<>();
        for (ReportDimension d : List.of(ReportDimension.PROVIDER, ReportDimension.TEAM, ReportDimension.USER,
                ReportDimension.FEATURE, ReportDimension.SERVICE_TIER)) {
            groups.put(d.name().toLowerCase(Locale.ROOT), d);
        }
        return Map.copyOf(groups);
    }

    /** @return the extra groups asked for with {@code group_by=team,user}, in the order asked */
    private static List<String> groupBy(UriQuery query) {
        List<String> out = new ArrayList<>();
        for (String value : query.all("group_by", List::of)) {
            for (String group : value.split(",")) {
                String g = group.strip().toLowerCase(Locale.ROOT);
                if (g.isEmpty()) {
                    continue;
                }
                if (!EXTRA_GROUPS.containsKey(g)) {
                    throw new GatewayException.InvalidField("group_by", "unknown group '" + abbreviated(g)
                            + "' (known: provider, team, user, feature, service_tier; day, model and key are always "
                            + "there)");
                }
                if (!out.contains(g)) {
                    out.add(g);
                }
            }
        }
        return out;
    }

    private static Optional<LocalDate> day(UriQuery query, String name) {
        if (query.contains(name) && query.all(name).size() > 1) {
            throw new GatewayException.InvalidField(name, "given " + query.all(name).size() + " times; give one day");
        }
        Optional<String> text = query.first(name).asOptional();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            // LocalDate.parse alone takes years of any length and sign (-999999999-01-01), which no ledger holds
            if (YYYY_MM_DD.matcher(text.get()).matches()) {
                return Optional.of(LocalDate.parse(text.get()));
            }
        } catch (DateTimeParseException e) {
            // such as 2026-02-30: refused below as any other
        }
        throw new GatewayException.InvalidField(name, "expected a UTC day as yyyy-MM-dd, was '"
                + abbreviated(text.get()) + "'");
    }

    private static String abbreviated(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static void groups(ObjectNode into, List<SpendRow> rows) {
        rows.forEach(r -> write(into.putObject(r.group()), r));
    }

    private static void write(ObjectNode into, SpendRow row) {
        into.put("cost", row.cost().toString()).put("baseline_cost", row.baselineCost().toString())
                .put("savings", row.savings().toString()).put("requests", row.requests())
                .put("attempts", row.attempts()).put("input_tokens", row.inputTokens())
                .put("cached_input_tokens", row.cachedInputTokens()).put("cache_write_tokens", row.cacheWriteTokens())
                .put("output_tokens", row.outputTokens()).put("reasoning_tokens", row.reasoningTokens());
    }
}
