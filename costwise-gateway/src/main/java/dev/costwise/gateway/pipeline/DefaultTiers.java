package dev.costwise.gateway.pipeline;

import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.llm.chat.ServiceTier;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tier each model's account serves a request that names none. An OpenAI project whose default tier is priority
 * serves every such request on priority, at up to twice the standard price; holding its budgets at the standard
 * prices would let each call in flight pass its reservation. So once a model's answer to a request that named no tier
 * reports priority, later such requests are held at priority, until an answer reports the standard tier again.
 * One entry per configured model, so it never grows with traffic. Thread-safe.
 */
final class DefaultTiers {
    private final ConcurrentHashMap<String, ServiceTier> lastServed = new ConcurrentHashMap<>();

    /**
     * @param model the model a call goes to
     * @param asked the tier the request asks for, if any
     * @return the tier to hold the call's budget at: the one asked for; else, for a model with no tier of its own,
     *     the one its account last served a request that named none (empty before any answer, or when that was the
     *     standard tier)
     */
    Optional<ServiceTier> toHold(Model model, Optional<ServiceTier> asked) {
        if (asked.isPresent() || model.serviceTier().isPresent()) {
            return asked;
        }
        return Optional.ofNullable(lastServed.get(model.name()));
    }

    /**
     * Remembers the tier an answer was served on, when its request named none and its model has no tier of its own.
     *
     * @param model the model that answered
     * @param asked the tier the request asked for, if any
     * @param served the tier the answer reports
     */
    void served(Model model, Optional<ServiceTier> asked, ServiceTier served) {
        if (asked.isPresent() || model.serviceTier().isPresent()) {
            return;
        }
        if (served == ServiceTier.STANDARD) {
            lastServed.remove(model.name());
        } else {
            lastServed.put(model.name(), served);
        }
    }
}
