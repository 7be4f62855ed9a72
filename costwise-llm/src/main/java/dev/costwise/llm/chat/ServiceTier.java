package dev.costwise.llm.chat;

import java.util.Locale;
import java.util.Optional;

/**
 * The processing tier a provider serves a call on, where the tier changes the price of the same tokens.
 *
 * <p>OpenAI sells the same models on three: {@linkplain #FLEX flex} (half the standard price, slower, and refused
 * with a 429 when capacity is short: a cost lever for background work), {@linkplain #STANDARD standard} and
 * {@linkplain #PRIORITY priority} (about 1.75-2× the standard price for faster, steadier output). A request asks for
 * one with {@code service_tier}; the answer says which one served it, and that is the one billed. Gemini sells flex
 * (half price) and priority the same way, and names the tier that served a call in a response header. Tiers that do not
 * change the per-token price (Groq's {@code on_demand}, Anthropic's {@code standard}, OpenAI's prepaid {@code scale})
 * read as {@code STANDARD}.
 */
public enum ServiceTier {
    /** The standard price: OpenAI's {@code default}. */
    STANDARD("default"),
    /** Cheaper, slower, may be refused when capacity is short: OpenAI's {@code flex}. */
    FLEX("flex"),
    /** Dearer, faster: OpenAI's {@code priority}. */
    PRIORITY("priority");

    private final String wireName;

    ServiceTier(String wireName) {
        this.wireName = wireName;
    }

    /** @return the name OpenAI's {@code service_tier} uses: {@code default}, {@code flex} or {@code priority} */
    public String wireName() {
        return wireName;
    }

    /**
     * @param name a tier as configuration and requests name it: {@code default}, {@code flex} or {@code priority}
     * @return that tier, or empty for any other name
     */
    public static Optional<ServiceTier> fromWireName(String name) {
        for (ServiceTier tier : values()) {
            if (tier.wireName.equals(name)) {
                return Optional.of(tier);
            }
        }
        return Optional.empty();
    }

    /**
     * The tier an answer reports it was served on.
     *
     * @param reported the answer's {@code service_tier}, if it has one
     * @return {@code FLEX} or {@code PRIORITY} for those names (any case); {@code STANDARD} for anything else, absent
     *     included, since every other tier is billed at the standard price
     */
    public static ServiceTier ofReported(Optional<String> reported) {
        return reported.flatMap(ServiceTier::ofKnownName).orElse(STANDARD);
    }

    /**
     * @param name a tier as a provider reports it
     * @return {@code FLEX}, {@code PRIORITY} or {@code STANDARD} for {@code flex}, {@code priority}, and
     *     {@code default} or {@code standard} (any case); empty for any other name
     */
    public static Optional<ServiceTier> ofKnownName(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "flex" -> Optional.of(FLEX);
            case "priority" -> Optional.of(PRIORITY);
            case "default", "standard" -> Optional.of(STANDARD);
            default -> Optional.empty();
        };
    }
}
