package dev.costwise.llm.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.Money;
import dev.costwise.llm.chat.ServiceTier;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads and validates a catalog file in the {@code costwise-models.json} format. Every problem is reported as a
 * {@link CatalogFormatException} naming the file, the entry ({@code models[3] 'gpt-4o'}) and the field.
 */
final class CatalogJsonReader {

    private static final Set<String> MODEL_FIELDS = Set.of("name", "provider", "upstreamModel", "kind", "pricing",
            "contextWindow", "maxOutputTokens", "capabilities", "freeTier", "tier", "aliases", "priceSource",
            "priceAsOf", "retiresOn", "notes");
    private static final Set<String> PRICE_FIELDS =
            Set.of("input", "cachedInput", "cacheWrite5m", "cacheWrite1h", "output", "longContext", "flex", "priority",
                    "inferenceGeo");
    private static final Set<String> TIER_PRICE_FIELDS =
            Set.of("input", "cachedInput", "cacheWrite5m", "cacheWrite1h", "output", "longContext");
    private static final Set<String> LONG_CONTEXT_FIELDS =
            Set.of("thresholdInputTokens", "input", "cachedInput", "cacheWrite5m", "cacheWrite1h", "output");
    private static final Set<String> FREE_TIER_FIELDS = Set.of("rpm", "rpd", "tpm", "tpd");

    private final ObjectMapper mapper =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private final String source;

    CatalogJsonReader(String source) {
        this.source = source;
    }

    /** The parsed catalog: its declared providers and its models. */
    record Parsed(Set<String> providers, List<ModelInfo> models) {}

    Parsed read(InputStream in) {
        JsonNode root;
        try {
            root = mapper.readTree(in);
        } catch (JsonProcessingException e) {
            throw new CatalogFormatException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CatalogFormatException(source + ": cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CatalogFormatException(source + ": expected a JSON object with 'models', was "
                    + (root == null ? "empty" : root.getNodeType()));
        }
        Set<String> providers = new LinkedHashSet<>();
        JsonNode providersNode = root.get("providers");
        if (providersNode != null) {
            if (!providersNode.isObject()) {
                throw new CatalogFormatException(source + ": 'providers' must be an object, was "
                        + providersNode.getNodeType());
            }
            providersNode.fieldNames().forEachRemaining(providers::add);
        }
        JsonNode modelsNode = root.get("models");
        if (modelsNode == null || !modelsNode.isArray()) {
            throw new CatalogFormatException(source + ": 'models' must be an array, was "
                    + (modelsNode == null ? "missing" : modelsNode.getNodeType()));
        }
        List<ModelInfo> models = new ArrayList<>();
        for (int i = 0; i < modelsNode.size(); i++) {
            models.add(new Entry(i, modelsNode.get(i)).model(providers));
        }
        return new Parsed(Set.copyOf(providers), List.copyOf(models));
    }

    /** One entry of {@code models}, read with its position for error messages. */
    private final class Entry {
        private final JsonNode node;
        private String where;

        Entry(int index, JsonNode node) {
            this.node = node;
            this.where = source + ": models[" + index + "]";
            if (!node.isObject()) {
                throw fail("", "must be an object, was " + node.getNodeType());
            }
            JsonNode name = node.get("name");
            if (name != null && name.isTextual()) {
                where += " '" + name.asText() + "'";
            }
        }

        ModelInfo model(Set<String> declaredProviders) {
            rejectUnknownFields(node, MODEL_FIELDS, "");
            String name = text(node, "name");
            if (name.isBlank()) {
                throw fail("name", "cannot be blank");
            }
            String provider = text(node, "provider");
            if (!declaredProviders.isEmpty() && !declaredProviders.contains(provider)) {
                throw fail("provider", "'" + provider + "' is not declared in 'providers' " + declaredProviders);
            }
            String upstream = node.has("upstreamModel") ? text(node, "upstreamModel") : name;
            ModelKind kind = kind();
            Optional<Pricing> pricing = pricing();
            int contextWindow = positiveInt(node, "contextWindow", 1);
            int maxOutput = positiveInt(node, "maxOutputTokens", 0);
            Set<Capability> capabilities = capabilities();
            Optional<FreeTier> freeTier = freeTier();
            if (freeTier.isPresent() && pricing.map(p -> !p.isFree()).orElse(true)) {
                throw fail("freeTier", "is only allowed on a free deployment (\"pricing\": \"free\")");
            }
            int tier = positiveInt(node, "tier", 1);
            if (tier > 4) {
                throw fail("tier", "must be in [1, 4], was " + tier);
            }
            Set<String> aliases = aliases();
            String priceSource = text(node, "priceSource");
            if (priceSource.isBlank()) {
                throw fail("priceSource", "cannot be blank: say where the price came from");
            }
            LocalDate asOf = date("priceAsOf");
            // optional: most models have no announced retirement
            Optional<LocalDate> retiresOn = node.hasNonNull("retiresOn") ? Optional.of(date("retiresOn"))
                    : Optional.empty();
            return new ModelInfo(name, provider, upstream, kind, pricing, contextWindow, maxOutput, capabilities,
                    freeTier, tier, aliases, priceSource, asOf, retiresOn);
        }

        private ModelKind kind() {
            String value = text(node, "kind");
            return switch (value) {
                case "chat" -> ModelKind.CHAT;
                case "embedding" -> ModelKind.EMBEDDING;
                default -> throw fail("kind", "must be \"chat\" or \"embedding\", was \"" + value + "\"");
            };
        }

        private Optional<Pricing> pricing() {
            if (!node.has("pricing")) {
                throw fail("pricing", "is missing; use null for an unknown price or \"free\" for a free deployment");
            }
            JsonNode p = node.get("pricing");
            if (p.isNull()) {
                return Optional.empty();
            }
            if (p.isTextual()) {
                if (p.asText().equals("free")) {
                    return Optional.of(Pricing.FREE);
                }
                throw fail("pricing", "must be an object, \"free\" or null, was \"" + p.asText() + "\"");
            }
            if (!p.isObject()) {
                throw fail("pricing", "must be an object, \"free\" or null, was " + p.getNodeType());
            }
            Pricing standard = pricesWithLongContext(p, "pricing.", PRICE_FIELDS);
            for (ServiceTier tier : List.of(ServiceTier.FLEX, ServiceTier.PRIORITY)) {
                String field = tier.wireName();
                if (p.has(field)) {
                    if (!p.get(field).isObject()) {
                        throw fail("pricing." + field, "must be an object of the " + field
                                + " tier's prices, was " + p.get(field).getNodeType());
                    }
                    String prefix = "pricing." + field + ".";
                    standard = standard.withServiceTier(tier,
                            pricesWithLongContext(p.get(field), prefix, TIER_PRICE_FIELDS));
                }
            }
            return Optional.of(standard.withInferenceGeoMultipliers(inferenceGeo(p)));
        }

        /** {@code pricing.inferenceGeo}: what every price is multiplied by in a geography, {@code {"us": "1.1"}}. */
        private Map<String, BigDecimal> inferenceGeo(JsonNode p) {
            JsonNode geos = p.get("inferenceGeo");
            if (geos == null) {
                return Map.of();
            }
            if (!geos.isObject()) {
                throw fail("pricing.inferenceGeo", "must be an object of price multipliers by geography, such as "
                        + "{\"us\": \"1.1\"}, was " + geos.getNodeType());
            }
            Map<String, BigDecimal> out = new LinkedHashMap<>();
            geos.properties().forEach(e -> {
                String path = "pricing.inferenceGeo." + e.getKey();
                BigDecimal multiplier = decimal(e.getValue(), path, "times the prices");
                if (multiplier.signum() <= 0) {
                    throw fail(path, "must be a positive multiplier of the prices, was " + multiplier.toPlainString());
                }
                out.put(e.getKey(), multiplier);
            });
            return out;
        }

        /** One tier's prices, with their long-context prices if the object has them. */
        private Pricing pricesWithLongContext(JsonNode p, String prefix, Set<String> fields) {
            rejectUnknownFields(p, fields, prefix);
            Optional<Pricing.LongContextPricing> longContext = Optional.empty();
            if (p.has("longContext")) {
                JsonNode lc = p.get("longContext");
                if (!lc.isObject()) {
                    throw fail(prefix + "longContext", "must be an object, was " + lc.getNodeType());
                }
                rejectUnknownFields(lc, LONG_CONTEXT_FIELDS, prefix + "longContext.");
                long threshold = positiveLong(lc, "thresholdInputTokens", prefix + "longContext.thresholdInputTokens");
                longContext = Optional.of(new Pricing.LongContextPricing(threshold,
                        prices(lc, prefix + "longContext.", Optional.empty())));
            }
            return prices(p, prefix, longContext);
        }

        private Pricing prices(JsonNode p, String prefix, Optional<Pricing.LongContextPricing> longContext) {
            Money input = money(p, "input", prefix).orElseThrow(() -> fail(prefix + "input", "is missing"));
            Money output = money(p, "output", prefix).orElseThrow(() -> fail(prefix + "output", "is missing"));
            Money cached = money(p, "cachedInput", prefix).orElse(input);
            Money write5m = money(p, "cacheWrite5m", prefix).orElse(input);
            Money write1h = money(p, "cacheWrite1h", prefix).orElse(input);
            return new Pricing(input, cached, write5m, write1h, output, longContext);
        }

        private Optional<Money> money(JsonNode p, String field, String prefix) {
            JsonNode v = p.get(field);
            if (v == null) {
                return Optional.empty();
            }
            BigDecimal amount = decimal(v, prefix + field, "dollars per 1M tokens");
            if (amount.signum() < 0) {
                throw fail(prefix + field, "cannot be negative, was " + amount.toPlainString());
            }
            return Optional.of(Money.of(amount));
        }

        /** A decimal string or number at {@code path}, which holds {@code what}. */
        private BigDecimal decimal(JsonNode v, String path, String what) {
            if (v.isTextual()) {
                try {
                    return new BigDecimal(v.asText().trim());
                } catch (NumberFormatException e) {
                    throw fail(path, "must be a decimal number of " + what + ", was \"" + v.asText() + "\"");
                }
            }
            if (v.isNumber()) {
                return v.decimalValue();
            }
            throw fail(path, "must be a decimal number of " + what + ", was " + v.getNodeType());
        }

        private Set<Capability> capabilities() {
            Set<Capability> set = EnumSet.noneOf(Capability.class);
            JsonNode caps = node.get("capabilities");
            if (caps == null) {
                return set;
            }
            if (!caps.isArray()) {
                throw fail("capabilities", "must be an array, was " + caps.getNodeType());
            }
            for (JsonNode c : caps) {
                String value = c.asText();
                try {
                    set.add(Capability.valueOf(value.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw fail("capabilities", "unknown capability \"" + value + "\"; known: "
                            + EnumSet.allOf(Capability.class).stream()
                                    .map(x -> x.name().toLowerCase(Locale.ROOT)).toList());
                }
            }
            return set;
        }

        private Optional<FreeTier> freeTier() {
            JsonNode ft = node.get("freeTier");
            if (ft == null || ft.isNull()) {
                return Optional.empty();
            }
            if (!ft.isObject()) {
                throw fail("freeTier", "must be an object of limits (rpm, rpd, tpm, tpd), was " + ft.getNodeType());
            }
            rejectUnknownFields(ft, FREE_TIER_FIELDS, "freeTier.");
            return Optional.of(new FreeTier(limit(ft, "rpm"), limit(ft, "rpd"), limit(ft, "tpm"), limit(ft, "tpd")));
        }

        private OptionalLong limit(JsonNode ft, String field) {
            if (!ft.has(field)) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(positiveLong(ft, field, "freeTier." + field));
        }

        private Set<String> aliases() {
            JsonNode a = node.get("aliases");
            if (a == null) {
                return Set.of();
            }
            if (!a.isArray()) {
                throw fail("aliases", "must be an array of names, was " + a.getNodeType());
            }
            Set<String> set = new LinkedHashSet<>();
            for (JsonNode x : a) {
                if (!x.isTextual() || x.asText().isBlank()) {
                    throw fail("aliases", "must hold non-blank names, had " + x);
                }
                set.add(x.asText());
            }
            return set;
        }

        private LocalDate date(String field) {
            String value = text(node, field);
            try {
                return LocalDate.parse(value);
            } catch (DateTimeParseException e) {
                throw fail(field, "must be an ISO date such as 2025-11-20, was \"" + value + "\"");
            }
        }

        private String text(JsonNode n, String field) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                throw fail(field, "is missing");
            }
            if (!v.isTextual()) {
                throw fail(field, "must be a string, was " + v.getNodeType() + " " + v);
            }
            return v.asText();
        }

        private int positiveInt(JsonNode n, String field, int min) {
            long v = longValue(n, field, field);
            if (v < min || v > Integer.MAX_VALUE) {
                throw fail(field, "must be >= " + min + ", was " + v);
            }
            return (int) v;
        }

        private long positiveLong(JsonNode n, String field, String label) {
            long v = longValue(n, field, label);
            if (v < 1) {
                throw fail(label, "must be >= 1, was " + v);
            }
            return v;
        }

        private long longValue(JsonNode n, String field, String label) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                throw fail(label, "is missing");
            }
            if (!v.isIntegralNumber()) {
                throw fail(label, "must be a whole number, was " + v);
            }
            return v.longValue();
        }

        private void rejectUnknownFields(JsonNode n, Set<String> known, String prefix) {
            Iterator<String> names = n.fieldNames();
            while (names.hasNext()) {
                String f = names.next();
                if (!known.contains(f)) {
                    throw fail(prefix + f, "is not a known field; known: " + known.stream().sorted().toList());
                }
            }
        }

        private CatalogFormatException fail(String field, String problem) {
            return new CatalogFormatException(where + (field.isEmpty() ? "" : ": " + field) + " " + problem);
        }
    }
}
