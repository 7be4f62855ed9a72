package dev.costwise.llm.resilience;

import dev.costwise.core.Money;
import dev.costwise.llm.catalog.Capability;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.ModelKind;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.TokenEstimator;
import dev.costwise.llm.chat.Usage;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Picks a model with a larger context window for a request that failed with
 * {@link dev.costwise.llm.provider.ProviderException.ContextLengthExceeded}.
 *
 * <p>Candidates are chat models whose window is larger than the failed model's and fits the request (its estimated
 * prompt plus its {@code max_tokens}, when known), whose quality tier is at least the failed model's (so a fallback
 * never silently downgrades), and which have every capability the request needs (tools, vision, JSON). They are
 * ordered: same provider first, then cheapest for this prompt (long-context prices applied; a model with no price
 * last), then the larger window, then name.
 *
 * <pre>{@code
 * ContextWindowFallback larger = ContextWindowFallback.of(catalog, estimator);
 * Optional<ModelInfo> next = larger.choose("gpt-4o", request);   // e.g. gpt-4.1 (1M window)
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ContextWindowFallback {

    private final ModelCatalog catalog;
    private final TokenEstimator estimator;

    private ContextWindowFallback(ModelCatalog catalog, TokenEstimator estimator) {
        this.catalog = catalog;
        this.estimator = estimator;
    }

    /**
     * @param catalog the models to choose from
     * @param estimator estimates the prompt size of a request
     * @return the chooser
     */
    public static ContextWindowFallback of(ModelCatalog catalog, TokenEstimator estimator) {
        return new ContextWindowFallback(Objects.requireNonNull(catalog, "catalog"),
                Objects.requireNonNull(estimator, "estimator"));
    }

    /**
     * The best model to retry {@code request} on after {@code failedModel} rejected it as too long.
     *
     * @param failedModel the catalog name or alias of the model whose window was too small
     * @param request the request that failed
     * @return the best candidate, or empty when no catalog model fits
     * @throws dev.costwise.llm.catalog.UnknownModelException if {@code failedModel} is not in the catalog
     */
    public Optional<ModelInfo> choose(String failedModel, ChatRequest request) {
        return candidates(failedModel, request).stream().findFirst();
    }

    /**
     * Every model that could take {@code request} after {@code failedModel} rejected it, best first.
     *
     * @param failedModel the catalog name or alias of the model whose window was too small
     * @param request the request that failed
     * @return the candidates, best first
     * @throws dev.costwise.llm.catalog.UnknownModelException if {@code failedModel} is not in the catalog
     */
    public List<ModelInfo> candidates(String failedModel, ChatRequest request) {
        Objects.requireNonNull(request, "request");
        ModelInfo failed = catalog.require(failedModel);
        long prompt = estimator.estimateInput(failed.name(), request).tokens();
        long needed = prompt + request.maxTokens().orElse(0);
        return candidates(failed.name(), needed, prompt, requiredCapabilities(request));
    }

    /**
     * Every model with a larger window than {@code failedModel} that holds {@code requiredTokens}, best first.
     *
     * @param failedModel the catalog name or alias of the model whose window was too small
     * @param requiredTokens prompt plus output tokens the request needs, or 0 when unknown
     * @param promptTokens the prompt size used to compare prices, or 0 when unknown
     * @param capabilities capabilities the candidate must have
     * @return the candidates, best first
     * @throws dev.costwise.llm.catalog.UnknownModelException if {@code failedModel} is not in the catalog
     * @throws IllegalArgumentException if a token count is negative
     */
    public List<ModelInfo> candidates(String failedModel, long requiredTokens, long promptTokens,
            Set<Capability> capabilities) {
        if (requiredTokens < 0 || promptTokens < 0) {
            throw new IllegalArgumentException("token counts cannot be negative, were requiredTokens="
                    + requiredTokens + ", promptTokens=" + promptTokens);
        }
        ModelInfo failed = catalog.require(failedModel);
        Usage probe = Usage.of(promptTokens, 0);
        Comparator<ModelInfo> order = Comparator
                .comparing((ModelInfo m) -> !m.provider().equals(failed.provider()))
                .thenComparing(m -> m.pricing().isEmpty())
                .thenComparing(m -> promptCost(m, probe))
                .thenComparing(ModelInfo::contextWindow, Comparator.reverseOrder())
                .thenComparing(ModelInfo::name);
        return catalog.all().stream()
                .filter(m -> m.kind() == ModelKind.CHAT)
                .filter(m -> m.contextWindow() > failed.contextWindow())
                .filter(m -> m.contextWindow() >= requiredTokens)
                .filter(m -> m.tier() >= failed.tier())
                .filter(m -> m.capabilities().containsAll(capabilities))
                .sorted(order)
                .toList();
    }

    private static Money promptCost(ModelInfo model, Usage probe) {
        return model.pricing()
                .map(p -> CatalogPricer.effectivePricing(p, probe))
                .map(Pricing::inputPerMillion)
                .orElse(Money.ZERO);
    }

    private static Set<Capability> requiredCapabilities(ChatRequest request) {
        Set<Capability> needed = EnumSet.noneOf(Capability.class);
        if (!request.tools().isEmpty()) {
            needed.add(Capability.TOOLS);
        }
        if (request.hasImages()) {
            needed.add(Capability.VISION);
        }
        if (request.responseFormat().isJson()) {
            needed.add(Capability.JSON);
        }
        return needed;
    }
}
