package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.config.GatewayConfig.Model;

/**
 * Puts a model's configured {@code service_tier} on the body of an attempt on it. A model configured with a tier
 * ({@code flex} for a half-price deployment) asks for it on every call, whatever the caller asked; the next attempt,
 * on a model without one, gets the caller's body as it came. Stateless.
 */
final class ServiceTiers {
    private static final String FIELD = "service_tier";

    private ServiceTiers() {}

    /**
     * @param body the attempt's body, shared by a request's attempts and not changed here
     * @param model the model the attempt calls
     * @return {@code body} itself when the model has no tier or the body already asks for it; otherwise a copy that
     *     asks for the model's tier
     */
    static ObjectNode forAttempt(ObjectNode body, Model model) {
        if (model.serviceTier().isEmpty()) {
            return body;
        }
        String tier = model.serviceTier().get().wireName();
        if (tier.equals(body.path(FIELD).asText(null))) {
            return body;
        }
        ObjectNode copy = body.deepCopy();
        copy.put(FIELD, tier);
        return copy;
    }
}
