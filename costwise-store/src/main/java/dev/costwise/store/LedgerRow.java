package dev.costwise.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One cost record encoded for the {@code ledger} table, on the caller's thread so the writer only binds values and a
 * bad record (an amount too large for the column) fails at {@code append}, not in the writer.
 */
record LedgerRow(String recordId, CostRecord record, String day, Object cost, Object baselineCost, String tagsJson)
        implements LedgerWriter.Entry {

    /** The caller's tag keys that have their own, indexed column. */
    static final String KEY = "key";
    static final String USER = "user";
    static final String TEAM = "team";
    static final String FEATURE = "feature";

    /** The model a row counts under (budgets, reports): its catalog name, which NULL says is {@code used_model}. */
    static final String MODEL = "COALESCE(catalog_model, used_model)";

    /** Formats {@code at_iso}; rows are bound on the ledger's one writer thread, in time order. */
    private static final IsoInstants ISO = new IsoInstants();

    static final String COLUMNS = "record_id, request_id, attempt, at_ms, at_iso, day, requested_model, used_model,"
            + " provider, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens,"
            + " estimated, cost, baseline_cost, price_status, outcome, error_kind, route, latency_ms, tag_key,"
            + " tag_user, tag_team, tag_feature, tags, cache_write_1h_tokens, service_tier, catalog_model,"
            + " inference_geo";

    static final String INSERT = "INSERT INTO ledger (" + COLUMNS + ") VALUES"
            + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (record_id) DO NOTHING";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> TAGS = new TypeReference<>() {
    };

    /**
     * @throws IllegalArgumentException if a cost does not fit the dialect's money column
     */
    static LedgerRow encode(String recordId, CostRecord record, Dialect dialect) {
        try {
            return new LedgerRow(recordId, record, day(record.at()), dialect.encodeMoney(record.cost()),
                    dialect.encodeMoney(record.baselineCost()), JSON.writeValueAsString(new TreeMap<>(record.tags())));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the tags of request '" + record.requestId()
                    + "' as JSON", e);
        }
    }

    /** @return the UTC day of an instant, as {@code yyyy-MM-dd} */
    static String day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC).toString();
    }

    void bind(PreparedStatement insert, Dialect dialect) throws SQLException {
        CostRecord r = record;
        Usage usage = r.usage();
        int i = 1;
        insert.setString(i++, recordId);
        insert.setString(i++, r.requestId());
        insert.setInt(i++, r.attempt());
        insert.setLong(i++, r.at().toEpochMilli());
        insert.setString(i++, ISO.format(r.at()));
        insert.setString(i++, day);
        insert.setString(i++, r.requestedModel());
        insert.setString(i++, r.usedModel());
        insert.setString(i++, r.provider());
        insert.setLong(i++, usage.inputTokens());
        insert.setLong(i++, usage.cachedInputTokens());
        insert.setLong(i++, usage.cacheWriteTokens());
        insert.setLong(i++, usage.outputTokens());
        insert.setLong(i++, usage.reasoningTokens());
        insert.setInt(i++, usage.estimated() ? 1 : 0);
        dialect.bindMoney(insert, i++, cost);
        dialect.bindMoney(insert, i++, baselineCost);
        insert.setString(i++, r.priceStatus().name());
        insert.setString(i++, r.outcome().name());
        setOptional(insert, i++, r.errorKind());
        setOptional(insert, i++, r.route());
        insert.setLong(i++, r.latency().toMillis());
        setOptional(insert, i++, Optional.ofNullable(r.tags().get(KEY)));
        setOptional(insert, i++, Optional.ofNullable(r.tags().get(USER)));
        setOptional(insert, i++, Optional.ofNullable(r.tags().get(TEAM)));
        setOptional(insert, i++, Optional.ofNullable(r.tags().get(FEATURE)));
        insert.setString(i++, tagsJson);
        insert.setLong(i++, usage.cacheWrite1hTokens());
        // the standard tier is NULL: most rows, and every row written before the column existed
        setOptional(insert, i++, usage.serviceTier() == ServiceTier.STANDARD ? Optional.empty()
                : Optional.of(usage.serviceTier().wireName()));
        // NULL when the model answered under its catalog name (every gateway row), as before the column existed
        setOptional(insert, i++, Optional.of(r.catalogModel()).filter(m -> !m.equals(r.usedModel())));
        setOptional(insert, i, usage.inferenceGeo()); // NULL when the provider named no geography
    }

    /** Reads a row selected with {@link #COLUMNS} (first column at index 1) back into a record. */
    static CostRecord read(ResultSet rows, Dialect dialect) throws SQLException {
        Usage usage = new Usage(rows.getLong("input_tokens"), rows.getLong("cached_input_tokens"),
                rows.getLong("cache_write_tokens"), rows.getLong("cache_write_1h_tokens"), rows.getLong("output_tokens"),
                rows.getLong("reasoning_tokens"), rows.getInt("estimated") != 0)
                .withServiceTier(ServiceTier.ofReported(Optional.ofNullable(rows.getString("service_tier"))))
                .withInferenceGeo(Optional.ofNullable(rows.getString("inference_geo")));
        Money cost = dialect.readMoney(rows, rows.findColumn("cost"));
        Money baseline = dialect.readMoney(rows, rows.findColumn("baseline_cost"));
        Map<String, String> tags;
        try {
            tags = JSON.readValue(rows.getString("tags"), TAGS);
        } catch (JsonProcessingException e) {
            throw new SQLException("ledger row " + rows.getString("record_id") + " has unreadable tags JSON", e);
        }
        String used = rows.getString("used_model");
        return new CostRecord(rows.getString("request_id"), rows.getInt("attempt"),
                Instant.parse(rows.getString("at_iso")), rows.getString("requested_model"), used,
                Objects.requireNonNullElse(rows.getString("catalog_model"), used), rows.getString("provider"), usage,
                cost, baseline,
                PriceStatus.valueOf(rows.getString("price_status")), Outcome.valueOf(rows.getString("outcome")),
                Optional.ofNullable(rows.getString("error_kind")), Optional.ofNullable(rows.getString("route")),
                Duration.ofMillis(rows.getLong("latency_ms")), tags);
    }

    private static void setOptional(PreparedStatement insert, int index, Optional<String> value) throws SQLException {
        if (value.isPresent()) {
            insert.setString(index, value.get());
        } else {
            insert.setNull(index, Types.VARCHAR);
        }
    }
}
