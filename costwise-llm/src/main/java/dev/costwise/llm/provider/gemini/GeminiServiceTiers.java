package dev.costwise.llm.provider.gemini;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.provider.http.HttpHeaders;
import java.util.Optional;

/**
 * Gemini's inference tiers on the wire. A request asks for one with a top-level {@code service_tier} of {@code flex}
 * (half the standard price, sheddable) or {@code priority} (a premium; Gemini serves it on the standard tier instead
 * when the account is over its priority limit); the tier that served the call comes back in the
 * {@code x-gemini-service-tier} response header, and that is the one billed. Stateless.
 */
final class GeminiServiceTiers {

    /** The response header naming the tier that served the call. */
    static final String SERVED_HEADER = "x-gemini-service-tier";

    private GeminiServiceTiers() {}

    /**
     * Asks for {@code tier} on {@code body}; the standard tier is Gemini's default and is left unsaid.
     *
     * @param body the generateContent body
     * @param tier the tier the request asks for, if any
     */
    static void ask(ObjectNode body, Optional<ServiceTier> tier) {
        tier.filter(t -> t != ServiceTier.STANDARD).ifPresent(t -> body.put("service_tier", t.wireName()));
    }

    /**
     * The tier a call is billed on.
     *
     * @param headers the response's headers
     * @param asked the tier the request asked for, if any
     * @return the tier the header names ({@code standard}, {@code flex} or {@code priority}, any case); when it names
     *     none of them or is missing, the dearer of the asked tier and the standard one, so that a budget never counts
     *     a call below what it may have cost
     */
    static ServiceTier served(HttpHeaders headers, Optional<ServiceTier> asked) {
        return headers.first(SERVED_HEADER).flatMap(ServiceTier::ofKnownName)
                .orElseGet(() -> asked.filter(t -> t == ServiceTier.PRIORITY).orElse(ServiceTier.STANDARD));
    }
}
