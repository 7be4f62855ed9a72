package dev.costwise.llm.catalog;

import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One deployable model: where it runs, what it costs, what it can do.
 *
 * <p>A free tier is its own entry (for example {@code gemini-2.5-pro:free} beside paid {@code gemini-2.5-pro}) with
 * {@link Pricing#FREE} and its {@link #freeTier()} limits, so a record can say "free tier" and a router can weigh the
 * limits.
 *
 * @param name the catalog name callers use, such as {@code gpt-4o-mini}
 * @param provider the provider id: {@code openai}, {@code anthropic}, {@code gemini}, {@code groq},
 *     {@code openrouter}, {@code deepseek}, {@code mistral}, {@code huggingface}, {@code ollama}, {@code sim}
 * @param upstreamModel the model id sent on the wire
 * @param kind chat or embedding
 * @param pricing prices per million tokens; empty when no price is known (never silently $0)
 * @param contextWindow maximum prompt plus output tokens
 * @param maxOutputTokens maximum output tokens per call
 * @param capabilities what the model supports
 * @param freeTier the free tier's limits, for a free deployment
 * @param tier a rough quality tier, 1 (small, cheap) to 4 (frontier), for escalation and routing
 * @param aliases other names that resolve to this entry
 * @param priceSource where the price was read (a URL or "spec")
 * @param priceAsOf the date the price was read
 * @param retiresOn the first day the provider no longer serves the model under this name (its calls fail, or go to a
 *     replacement at that model's prices), past or future; empty when none is announced. A retired model stays in the
 *     catalog so that older ledgers and traces keep their prices
 */
public record ModelInfo(String name, String provider, String upstreamModel, ModelKind kind, Optional<Pricing> pricing,
        int contextWindow, int maxOutputTokens, Set<Capability> capabilities, Optional<FreeTier> freeTier, int tier,
        Set<String> aliases, String priceSource, LocalDate priceAsOf, Optional<LocalDate> retiresOn) {

    public ModelInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(upstreamModel, "upstreamModel");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(pricing, "pricing");
        capabilities = Set.copyOf(capabilities);
        Objects.requireNonNull(freeTier, "freeTier");
        aliases = Set.copyOf(aliases);
        Objects.requireNonNull(priceSource, "priceSource");
        Objects.requireNonNull(priceAsOf, "priceAsOf");
        Objects.requireNonNull(retiresOn, "retiresOn");
        if (contextWindow < 1) {
            throw new IllegalArgumentException(name + ": contextWindow must be >= 1, was " + contextWindow);
        }
        if (maxOutputTokens < 0) {
            throw new IllegalArgumentException(name + ": maxOutputTokens cannot be negative, was " + maxOutputTokens);
        }
        if (tier < 1 || tier > 4) {
            throw new IllegalArgumentException(name + ": tier must be in [1, 4], was " + tier);
        }
    }

    /** A model with no announced retirement. */
    public ModelInfo(String name, String provider, String upstreamModel, ModelKind kind, Optional<Pricing> pricing,
            int contextWindow, int maxOutputTokens, Set<Capability> capabilities, Optional<FreeTier> freeTier,
            int tier, Set<String> aliases, String priceSource, LocalDate priceAsOf) {
        this(name, provider, upstreamModel, kind, pricing, contextWindow, maxOutputTokens, capabilities, freeTier,
                tier, aliases, priceSource, priceAsOf, Optional.empty());
    }

    /**
     * @param day a day, such as today
     * @return {@code true} if the model is retired on that day: its {@link #retiresOn()} is that day or earlier
     */
    public boolean isRetiredOn(LocalDate day) {
        Objects.requireNonNull(day, "day");
        return retiresOn.filter(d -> !d.isAfter(day)).isPresent();
    }

    /** @return {@code true} if calls cost nothing (a free tier or a local model) */
    public boolean isFree() {
        return pricing.map(Pricing::isFree).orElse(false);
    }

    /** @return {@code true} if the model supports {@code capability} */
    public boolean supports(Capability capability) {
        return capabilities.contains(capability);
    }
}
