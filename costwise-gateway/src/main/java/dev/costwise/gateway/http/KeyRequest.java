package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import dev.costwise.gateway.config.PrintableText;
import dev.costwise.gateway.config.TagRules;
import dev.costwise.gateway.keys.VirtualKey;
import dev.costwise.gateway.pipeline.ModelDirectory;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads the body of {@code POST /v1/keys} (a new key) or {@code PATCH /v1/keys/{id}} (a change to one) into a virtual
 * key's settings, refusing anything it would not apply: a misspelt field, a model the gateway does not serve, a limit
 * that is not a whole number, an expiry in the past. Each refusal names the field. A field left out keeps its value
 * (for a new key, the default); {@code null} clears it (no budget, no limit, every model, no tags, no expiry).
 */
final class KeyRequest {
    /** The fields the body may have, in the order an error lists them. */
    static final List<String> FIELDS = List.of("name", "models", "budget", "budget_window", "rpm", "tpm", "tags",
            "expires_at", "expires_in");

    /** The largest budget a key may have (shared counters hold nano-dollars in a long: up to $9.2 billion). */
    private static final BigDecimal MAX_BUDGET = BigDecimal.valueOf(1_000_000_000L);
    /** The most decimal places a budget may have (a budget's digits are kept exactly). */
    private static final int MAX_BUDGET_DECIMALS = 18;

    /** The furthest expiry a key may have: beyond it, an expiry is a mistake (and not an RFC 3339 time). */
    private static final Duration MAX_EXPIRY = Duration.ofDays(36_525);

    private KeyRequest() {}

    /**
     * @param body the request's JSON
     * @param directory the models keys may be limited to
     * @param now the time of creation, which an expiry must be after
     * @return the new key's settings (id, creation time and state are the store's to set)
     * @throws GatewayException.InvalidField naming the first field that is wrong
     */
    static VirtualKey create(JsonNode body, ModelDirectory directory, Instant now) {
        return read(body, directory, now, new VirtualKey("new", "key", List.of(), Optional.empty(),
                BudgetWindow.MONTH, Optional.empty(), Optional.empty(), Map.of(), now, Optional.empty(), false,
                Optional.empty()));
    }

    /**
     * @param id a key id from a request's path
     * @return the id
     * @throws GatewayException.InvalidField if it holds a control character, which no key id has
     */
    static String id(String id) {
        if (PrintableText.hasControl(id)) {
            throw new GatewayException.InvalidField("id", "must not contain control characters, was \""
                    + TagRules.clip(PrintableText.escaped(id)) + "\"");
        }
        return id;
    }

    /**
     * @param body the request's JSON
     * @param directory the models keys may be limited to
     * @param now the time of the change, which an expiry must be after
     * @param current the key as it is
     * @return the key with the body's changes
     * @throws GatewayException.InvalidField naming the first field that is wrong
     */
    static VirtualKey update(JsonNode body, ModelDirectory directory, Instant now, VirtualKey current) {
        return read(body, directory, now, current);
    }

    private static VirtualKey read(JsonNode body, ModelDirectory directory, Instant now, VirtualKey base) {
        if (!body.isObject()) {
            throw new GatewayException.InvalidField("(body)", "expected a JSON object");
        }
        // A misspelt limit ("rmp") must not create a key without the limit it was meant to have.
        for (String field : (Iterable<String>) body::fieldNames) {
            if (!FIELDS.contains(field)) {
                throw new GatewayException.InvalidField(field, "unknown field (known: " + String.join(", ", FIELDS)
                        + ")");
            }
        }
        VirtualKey key = new VirtualKey(base.id(),
                body.has("name") ? name(body.get("name")) : base.name(),
                body.has("models") ? models(body.get("models"), directory) : base.models(),
                body.has("budget") ? budget(body) : base.budgetLimit(),
                body.has("budget_window") ? window(body) : base.budgetWindow(),
                body.has("rpm") ? positive(body, "rpm") : base.rpm(),
                body.has("tpm") ? positive(body, "tpm") : base.tpm(),
                body.has("tags") ? tags(body.get("tags")) : base.tags(),
                base.createdAt(),
                body.has("expires_at") || body.has("expires_in") ? expiry(body, now) : base.expiresAt(),
                base.revoked(),
                base.rotatedAt(),
                base.budgetGeneration());
        // A window with no budget to count would be dropped without a word: a budget left out by mistake.
        if (body.hasNonNull("budget_window") && key.budgetLimit().isEmpty()) {
            throw new GatewayException.InvalidField("budget_window", "is the window of a budget, and the key "
                    + (body.has("budget") ? "would have" : "has") + " none: send budget with it");
        }
        return key;
    }

    private static String name(JsonNode node) {
        if (!(node.isTextual() && !node.asText().isBlank())) {
            throw new GatewayException.InvalidField("name", "expected a non-empty string, was " + node);
        }
        String name = node.asText();
        if (PrintableText.hasControl(name)) { // a line break would forge a line in the audit log
            throw new GatewayException.InvalidField("name", "must not contain control characters (line breaks, "
                    + "tabs, escape sequences), was \"" + TagRules.clip(PrintableText.escaped(name)) + "\"");
        }
        int length = name.codePointCount(0, name.length());
        if (length > VirtualKey.MAX_NAME_LENGTH) {
            throw new GatewayException.InvalidField("name", "expected at most " + VirtualKey.MAX_NAME_LENGTH
                    + " characters, was " + length);
        }
        return name;
    }

    private static List<String> models(JsonNode node, ModelDirectory directory) {
        List<String> models = new ArrayList<>();
        if (node.isNull()) {
            return models;
        }
        if (!node.isArray()) {
            throw new GatewayException.InvalidField("models", "expected an array of model names");
        }
        for (int i = 0; i < node.size(); i++) {
            String m = node.get(i).asText();
            if (directory.pipeline(m).isEmpty()) {
                throw new GatewayException.InvalidField("models[" + i + "]", "unknown model '" + m + "' (known: "
                        + String.join(", ", directory.callableNames()) + ")");
            }
            models.add(m);
        }
        return models;
    }

    private static Optional<Money> budget(JsonNode body) {
        if (!body.hasNonNull("budget")) {
            return Optional.empty();
        }
        Money budget;
        JsonNode v = body.get("budget");
        try {
            // A number is read whole (the body is parsed with exact decimals), never through a double.
            budget = v.isNumber() ? Money.of(v.decimalValue()) : Money.of(v.asText());
        } catch (IllegalArgumentException e) {
            throw new GatewayException.InvalidField("budget", "expected a dollar amount such as \"5.00\", was "
                    + body.get("budget"));
        }
        // Bounded before it is ever printed: 1e999999999 is a valid decimal whose plain form takes a gigabyte.
        BigDecimal exact = budget.toBigDecimal();
        if (exact.abs().compareTo(MAX_BUDGET) > 0 || exact.stripTrailingZeros().scale() > MAX_BUDGET_DECIMALS) {
            throw new GatewayException.InvalidField("budget", "expected at most $1,000,000,000 with at most "
                    + MAX_BUDGET_DECIMALS + " decimal places, was " + v);
        }
        if (budget.isNegative()) {
            throw new GatewayException.InvalidField("budget", "cannot be negative, was " + budget);
        }
        return Optional.of(budget);
    }

    private static BudgetWindow window(JsonNode body) {
        if (!body.hasNonNull("budget_window")) {
            return BudgetWindow.MONTH;
        }
        try {
            return BudgetWindow.valueOf(body.get("budget_window").asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new GatewayException.InvalidField("budget_window", "expected day or month, was "
                    + body.get("budget_window"));
        }
    }

    private static Optional<Integer> positive(JsonNode body, String field) {
        OptionalInt v = IntegerField.positive(field).readFrom(body);
        return v.isPresent() ? Optional.of(v.getAsInt()) : Optional.empty();
    }

    private static Map<String, String> tags(JsonNode node) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (node.isNull()) {
            return tags;
        }
        if (!node.isObject()) {
            throw new GatewayException.InvalidField("tags", "expected an object of name to value, was " + node);
        }
        node.properties().forEach(e -> {
            // A tag is text, as in the x-costwise-tags header: 5 is refused, as "5" is taken (no silent change).
            if (!e.getValue().isTextual()) {
                throw new GatewayException.InvalidField("tags." + TagRules.clip(e.getKey()), "expected a string, was "
                        + e.getValue());
            }
            // Tags name budget windows (team) and ledger groups: the rules of the x-costwise-tags header.
            TagRules.keyTagProblem(e.getKey(), e.getValue().asText()).ifPresent(problem -> {
                throw new GatewayException.InvalidField("tags." + TagRules.clip(e.getKey()), problem);
            });
            tags.put(e.getKey(), e.getValue().asText());
        });
        return tags;
    }

    /** {@code expires_at} (an RFC 3339 time) or {@code expires_in} (a duration such as {@code 30d}), not both. */
    private static Optional<Instant> expiry(JsonNode body, Instant now) {
        boolean at = body.hasNonNull("expires_at");
        boolean in = body.hasNonNull("expires_in");
        if (at && in) {
            throw new GatewayException.InvalidField("expires_in", "give expires_at or expires_in, not both");
        }
        if (in) {
            JsonNode v = body.get("expires_in");
            Optional<Duration> parsed;
            try {
                parsed = ConfigLoader.parseDuration(v.asText());
            } catch (NumberFormatException | ArithmeticException e) { // more days than a long or a Duration holds
                throw tooFar("expires_in", v.toString());
            }
            Duration d = parsed.filter(x -> v.isTextual())
                    .orElseThrow(() -> new GatewayException.InvalidField("expires_in",
                            "expected a duration such as \"12h\" or \"30d\", was " + v));
            if (d.isZero()) {
                throw new GatewayException.InvalidField("expires_in", "must be positive (a key that expires at once "
                        + "is never usable), was " + v);
            }
            if (d.compareTo(MAX_EXPIRY) > 0) {
                throw tooFar("expires_in", v.toString());
            }
            return Optional.of(now.plus(d).truncatedTo(ChronoUnit.SECONDS)); // a readable time, not nanoseconds
        }
        if (!at) {
            return Optional.empty();
        }
        JsonNode v = body.get("expires_at");
        Instant expiresAt;
        try {
            expiresAt = OffsetDateTime.parse(v.asText()).toInstant();
        } catch (DateTimeParseException e) {
            throw new GatewayException.InvalidField("expires_at", "expected a time with its offset such as "
                    + "\"2026-12-31T23:59:59Z\", was " + v);
        }
        if (!expiresAt.isAfter(now)) {
            throw new GatewayException.InvalidField("expires_at", "is not in the future: " + expiresAt
                    + " (now " + now + ")");
        }
        if (expiresAt.isAfter(now.plus(MAX_EXPIRY))) {
            throw tooFar("expires_at", v.toString());
        }
        return Optional.of(expiresAt);
    }

    private static GatewayException.InvalidField tooFar(String field, String was) {
        return new GatewayException.InvalidField(field, "at most 100 years (36525d) from now, was " + was
                + "; leave the expiry out for a key that does not expire");
    }
}
