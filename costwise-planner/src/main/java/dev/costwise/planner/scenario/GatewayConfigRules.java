package dev.costwise.planner.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.DurationText;
import dev.costwise.core.EnvReferences;
import dev.costwise.core.Money;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.provider.anthropic.AnthropicPromptCaching;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The gateway's rules ({@code ConfigLoader} in costwise-gateway) for the configuration fields the planner reads, with
 * the gateway's paths and messages ({@code models[0].prompt_caching: applies to anthropic models only ...}), so that a
 * replay accepts and refuses a gateway configuration as {@code costwise serve} does. The planner does not depend on
 * the gateway module, so the rules are restated here; {@code PlannerReadsConfigLikeTheGatewayTest} in costwise-cli,
 * which has both on its class path, feeds the same files to both. Each rule throws a {@link ScenarioException} whose
 * message is the gateway's problem line ({@code path: message}).
 */
final class GatewayConfigRules {

    private static final Set<String> PRICE_FIELDS =
            Set.of("input", "cached_input", "cache_write_5m", "cache_write_1h", "output");
    private static final Set<String> PRICE_FIELDS_WITH_TIERS =
            Set.of("input", "cached_input", "cache_write_5m", "cache_write_1h", "output", "flex", "priority");
    /** Providers that sell flex and priority tiers, so a model on them may be configured with one. */
    private static final Set<String> TIERED_PROVIDERS = Set.of("openai", "openai-compatible", "gemini");
    private static final String ANTHROPIC = "anthropic";

    private GatewayConfigRules() {}

    static ScenarioException problem(String path, String message) {
        return new ScenarioException(path + ": " + message);
    }

    /**
     * A text value as the gateway reads it: absent or null is empty, a mapping, list or boolean is refused, each
     * {@code ${VAR:-default}} is its default (the planner reads no environment; without a default, nothing), and the
     * text is trimmed, blank being empty.
     */
    static Optional<String> optString(JsonNode n, String field, String path) {
        JsonNode v = n.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isValueNode() || v.isBoolean()) {
            throw problem(path, "expected text, found " + kind(v));
        }
        String s = substitute(v.asText());
        return s.isBlank() ? Optional.empty() : Optional.of(s.trim());
    }

    /** A required text value; the gateway's {@code is required} when it is absent or blank. */
    static String reqString(JsonNode n, String field, String path) {
        return optString(n, field, path).orElseThrow(() -> problem(path, "is required"));
    }

    /**
     * @return {@code text} with each {@code ${VAR:-default}} replaced by its default, {@code ${VAR}} by nothing: the
     *     gateway's references ({@link EnvReferences}), read without an environment
     */
    static String substitute(String text) {
        return EnvReferences.substitute(text, ref -> ref.fallback().orElse(""));
    }

    /** A dollar amount, {@code "2.50"} or {@code "$2.50"}, never negative. */
    static Optional<Money> optMoney(JsonNode n, String field, String path) {
        Optional<String> s = optString(n, field, path);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        String text = s.get().startsWith("$") ? s.get().substring(1) : s.get();
        Money m;
        try {
            m = Money.of(text);
        } catch (IllegalArgumentException e) {
            throw problem(path, "expected a dollar amount such as \"2.50\", was '" + s.get() + "'");
        }
        if (m.isNegative()) {
            throw problem(path, "cannot be negative, was " + s.get());
        }
        return Optional.of(m);
    }

    static Money reqMoney(JsonNode n, String field, String path) {
        if (n.path(field).isMissingNode() || n.path(field).isNull()) {
            throw problem(path, "is required");
        }
        return optMoney(n, field, path).orElseThrow(() -> problem(path, "is required"));
    }

    /**
     * A required name the gateway sends back in a response header ({@code header}): a control character or one outside
     * Latin-1 is refused, as the gateway refuses it.
     */
    static String reqHeaderSafe(JsonNode n, String field, String path, String header) {
        String s = reqString(n, field, path);
        if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c > 0xff)) {
            throw problem(path, "'" + s.replaceAll("\\p{Cntrl}", "?") + "' contains a control character or a"
                    + " character outside Latin-1; it is sent in the " + header + " header");
        }
        return s;
    }

    /** A duration as the gateway reads one ({@link DurationText}). */
    static Optional<Duration> optDuration(JsonNode n, String field, String path) {
        Optional<String> s = optString(n, field, path);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(DurationText.parse(s.get()).orElseThrow(() -> problem(path,
                "expected a duration such as 250ms, 30s, 5m, 1h or 1d, was '" + s.get() + "'")));
    }

    /** A share in [0, 1]. */
    static Optional<Double> optShare(JsonNode n, String field, String path) {
        Optional<String> s = optString(n, field, path);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        double v;
        try {
            v = Double.parseDouble(s.get());
        } catch (NumberFormatException e) {
            throw problem(path, "expected a share in [0, 1], was '" + s.get() + "'");
        }
        if (v < 0 || v > 1) {
            throw problem(path, "expected a share in [0, 1], was " + v);
        }
        return Optional.of(v);
    }

    static Optional<Boolean> optBoolean(JsonNode n, String field, String path) {
        JsonNode v = n.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw problem(path, "expected true or false, found " + kind(v));
        }
        return Optional.of(v.asBoolean());
    }

    /** A whole number in {@code [min, max]}. */
    static Optional<Integer> optInt(JsonNode n, String field, String path, int min, int max) {
        Optional<String> s = optString(n, field, path);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        int v;
        try {
            v = Integer.parseInt(s.get());
        } catch (NumberFormatException e) {
            throw problem(path, "expected a whole number in [" + min + ", " + max + "], was '" + s.get() + "'");
        }
        if (v < min || v > max) {
            throw problem(path, "must be in [" + min + ", " + max + "], was " + v);
        }
        return Optional.of(v);
    }

    /**
     * One of an enumeration's names, in any case, as the gateway reads its enumerations.
     *
     * @param known the names, in the gateway's declaration order
     * @return the name given, in lower case
     */
    static Optional<String> optEnum(JsonNode n, String field, String path, List<String> known) {
        Optional<String> s = optString(n, field, path);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        String value = s.get().toLowerCase(Locale.ROOT);
        if (!known.contains(value)) {
            throw problem(path, "unknown value '" + s.get() + "' (known: " + String.join(", ", known) + ")");
        }
        return Optional.of(value);
    }

    /** Refuses a field the gateway does not know there. */
    static void unknownFields(JsonNode n, String path, Set<String> known) {
        n.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                throw problem(path.isEmpty() ? f : path + "." + f, "unknown field (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        });
    }

    /** A name the gateway resolves: a configured model, group or alias ({@code targets}, in the gateway's order). */
    static void requireTarget(String name, String path, Set<String> targets) {
        if (!targets.contains(name)) {
            throw problem(path, "unknown model '" + name + "' (known: " + String.join(", ", targets) + ")");
        }
    }

    /** A list of names, or one name. */
    static List<String> stringList(JsonNode n, String path) {
        List<String> out = new ArrayList<>();
        if (n.isTextual()) {
            out.add(substitute(n.asText()));
            return out;
        }
        if (!n.isArray()) {
            throw problem(path, "expected a list of names, found " + kind(n));
        }
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isValueNode()) {
                throw problem(path + "[" + i + "]", "expected a name, found " + kind(n.get(i)));
            }
            out.add(substitute(n.get(i).asText()));
        }
        return out;
    }

    /**
     * A model's {@code prompt_caching}: {@code none} (the default) or {@code tools_and_system}, for Anthropic models
     * only, the one provider that caches nothing unless told where.
     */
    static AnthropicPromptCaching promptCaching(JsonNode m, String path, Optional<String> provider) {
        Optional<String> value = optString(m, "prompt_caching", path);
        if (value.isEmpty()) {
            return AnthropicPromptCaching.NONE;
        }
        if (provider.isPresent() && !provider.get().equals(ANTHROPIC)) {
            throw problem(path, "applies to anthropic models only (OpenAI, Gemini and DeepSeek cache prompts on their "
                    + "own); this model's provider is '" + provider.get() + "'");
        }
        return switch (value.get()) {
            case "none" -> AnthropicPromptCaching.NONE;
            case "tools_and_system" -> AnthropicPromptCaching.TOOLS_AND_SYSTEM;
            default -> throw problem(path, "expected none or tools_and_system, was '" + value.get() + "'");
        };
    }

    /**
     * A model's {@code service_tier}: {@code default}, {@code flex} or {@code priority}, for the providers that sell
     * those tiers.
     */
    static Optional<ServiceTier> serviceTier(JsonNode m, String path, Optional<String> provider) {
        Optional<String> value = optString(m, "service_tier", path);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (provider.isPresent() && !TIERED_PROVIDERS.contains(provider.get())) {
            throw problem(path, "applies to openai, openai-compatible and gemini models only (the providers that sell "
                    + "flex and priority tiers); this model's provider is '" + provider.get() + "'");
        }
        return Optional.of(ServiceTier.fromWireName(value.get()).orElseThrow(() -> problem(path,
                "expected default, flex or priority, was '" + value.get() + "'")));
    }

    /**
     * A model's {@code price}, $ per 1M tokens, with its {@code flex} and {@code priority} prices. Prompt-cache prices
     * left out follow the provider's published rule: Anthropic reads at 0.1×, five-minute writes at 1.25× and one-hour
     * writes at 2× the input price; any other provider at the input price.
     */
    static Pricing price(JsonNode n, String path, Optional<String> provider) {
        Pricing standard = tierPrice(n, path, provider, true);
        for (ServiceTier tier : List.of(ServiceTier.FLEX, ServiceTier.PRIORITY)) {
            JsonNode t = n.path(tier.wireName());
            if (!t.isMissingNode()) {
                standard = standard.withServiceTier(tier, tierPrice(t, path + "." + tier.wireName(), provider,
                        false));
            }
        }
        return standard;
    }

    private static Pricing tierPrice(JsonNode n, String path, Optional<String> provider, boolean mayHoldTiers) {
        if (!n.isObject()) {
            throw problem(path, "expected a mapping with input and output ($ per 1M tokens), found " + kind(n));
        }
        unknownFields(n, path, mayHoldTiers ? PRICE_FIELDS_WITH_TIERS : PRICE_FIELDS);
        Money input = reqMoney(n, "input", path + ".input");
        Money output = reqMoney(n, "output", path + ".output");
        Optional<Money> cached = optMoney(n, "cached_input", path + ".cached_input");
        Optional<Money> write5m = optMoney(n, "cache_write_5m", path + ".cache_write_5m");
        Optional<Money> write1h = optMoney(n, "cache_write_1h", path + ".cache_write_1h");
        boolean anthropic = provider.filter(ANTHROPIC::equals).isPresent();
        return new Pricing(input, cached.orElse(anthropic ? input.times(new BigDecimal("0.1")) : input),
                write5m.orElse(anthropic ? input.times(new BigDecimal("1.25")) : input),
                write1h.orElse(anthropic ? input.times(2) : input), output, Optional.empty());
    }

    /** @return how the gateway names a value it did not expect: {@code nothing}, {@code a mapping}, {@code 'x'} */
    static String kind(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return "nothing";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        if (n.isArray()) {
            return "a list";
        }
        return "'" + n.asText() + "'";
    }
}
