package dev.costwise.llm.orchestration;

import dev.costwise.core.Money;
import dev.costwise.llm.catalog.Capability;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.ModelKind;
import dev.costwise.llm.catalog.UnknownModelException;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.cost.UnpricedModelException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Picks the model for a task from the catalog: capable (kind, capabilities, context window), within the cost cap, of
 * a tier that fits the complexity, free first when the caller prefers free and the free tier has headroom.
 *
 * <p>Ranking, in order: with {@code preferFree}, free models whose {@link Headroom} is at least the threshold, by
 * affinity (reasoning models for math, reasoning and expert tasks; none for latency-sensitive tasks), then the
 * smallest adequate tier (a frontier free tier's small quota is kept for hard tasks), then most headroom; otherwise
 * (or when no free model fits) priced models by estimated cost, then affinity. When no model reaches the tier, the
 * strongest capable one is chosen and the reason says so. Immutable and thread-safe.
 */
public final class ModelSelector {
    private final ModelCatalog catalog;
    private final Pricer pricer;
    private final Headroom headroom;
    private final double minHeadroom;
    private final Predicate<ModelInfo> available;

    private ModelSelector(Builder b) {
        this.catalog = b.catalog;
        this.pricer = b.pricer != null ? b.pricer : CatalogPricer.of(b.catalog);
        this.headroom = b.headroom;
        this.minHeadroom = b.minHeadroom;
        this.available = b.available;
    }

    /**
     * Starts a selector over {@code catalog}.
     *
     * @param catalog the models to choose from
     * @return a builder
     */
    public static Builder builder(ModelCatalog catalog) {
        return new Builder(catalog);
    }

    /** @return a builder holding this selector's settings */
    public Builder toBuilder() {
        Builder b = new Builder(catalog);
        b.pricer = pricer;
        b.headroom = headroom;
        b.minHeadroom = minHeadroom;
        b.available = available;
        return b;
    }

    /** @return the catalog the selector chooses from */
    public ModelCatalog catalog() {
        return catalog;
    }

    /** @return the pricer used for estimates */
    public Pricer pricer() {
        return pricer;
    }

    /** @return the headroom source */
    public Headroom headroom() {
        return headroom;
    }

    /**
     * A model chosen for a task.
     *
     * @param model the model
     * @param estimatedCost the estimated cost of one call on it
     * @param reason why it was chosen, in words
     */
    public record Selection(ModelInfo model, Money estimatedCost, String reason) {
        public Selection {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(estimatedCost, "estimatedCost");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Chooses the model for a task.
     *
     * @param complexity the task's complexity (sets the minimum tier)
     * @param type the task's type (sets the affinity)
     * @param prefs the caller's preferences
     * @param inputTokens estimated prompt tokens
     * @param outputTokens estimated output tokens
     * @return the choice
     * @throws NoCapableModelException if no model meets the capability, window and cost needs
     */
    public Selection select(Complexity complexity, TaskType type, TaskPreferences prefs, long inputTokens,
            long outputTokens) {
        List<String> rejected = new ArrayList<>();
        List<ModelInfo> capable = capable(prefs, inputTokens, outputTokens, rejected, Set.of());
        if (capable.isEmpty()) {
            throw new NoCapableModelException("no model fits " + describe(prefs, inputTokens, outputTokens)
                    + "; rejected: " + (rejected.isEmpty() ? "catalog is empty" : String.join("; ", rejected)));
        }
        int tier = complexity.minimumTier();
        List<ModelInfo> adequate = capable.stream().filter(m -> m.tier() >= tier).toList();
        if (adequate.isEmpty()) {
            ModelInfo best = capable.stream().max(Comparator.comparingInt(ModelInfo::tier)
                    .thenComparing(m -> cost(m, inputTokens, outputTokens), Comparator.reverseOrder())).get();
            return new Selection(best, cost(best, inputTokens, outputTokens),
                    best.name() + ": no capable model of tier >= "
                    + tier + " within the limits, so the strongest available (tier " + best.tier() + ")");
        }
        return rank(adequate, type, complexity, prefs, inputTokens, outputTokens, rejected, "tier " + tier + "+");
    }

    /**
     * The next stronger model after {@code current}: a capable model of a higher tier, within the cost cap; when no
     * higher tier is left and {@code current} is free, the cheapest capable paid model of at least its tier (a paid
     * frontier model as the last resort, as the spec's Gemini → DeepSeek → Claude).
     *
     * @param current the model that fell short
     * @param type the task's type
     * @param prefs the caller's preferences
     * @param inputTokens estimated prompt tokens
     * @param outputTokens estimated output tokens
     * @param exclude models already tried
     * @return the stronger model, or empty when none is left
     */
    public Optional<Selection> stronger(ModelInfo current, TaskType type, TaskPreferences prefs, long inputTokens,
            long outputTokens, Set<String> exclude) {
        List<String> rejected = new ArrayList<>();
        List<ModelInfo> capable = capable(prefs, inputTokens, outputTokens, rejected, exclude);
        for (int tier = current.tier() + 1; tier <= 4; tier++) {
            int t = tier;
            List<ModelInfo> atTier = capable.stream().filter(m -> m.tier() == t).toList();
            if (!atTier.isEmpty()) {
                Complexity c = Complexity.values()[t - 1];
                return Optional.of(rank(atTier, type, c, prefs, inputTokens, outputTokens, rejected,
                        "stronger than " + current.name() + " (tier " + current.tier() + "), tier " + t));
            }
        }
        if (current.isFree()) {
            Optional<ModelInfo> paid = capable.stream().filter(m -> !m.isFree() && m.tier() >= current.tier())
                    .min(Comparator.comparing((ModelInfo m) -> cost(m, inputTokens, outputTokens)));
            if (paid.isPresent()) {
                ModelInfo m = paid.get();
                return Optional.of(new Selection(m, cost(m, inputTokens, outputTokens), m.name()
                        + ": no higher tier left, so the cheapest paid model of the same tier as free "
                        + current.name() + " (paid last resort), est. " + cost(m, inputTokens, outputTokens).format()));
            }
        }
        return Optional.empty();
    }

    /**
     * A fallback chain for {@code primary}: the primary, then other capable free models of at least its tier with
     * headroom (strongest first), then the cheapest capable priced model of at least its tier last (the spec's
     * Gemini → DeepSeek → Claude). Free models of a lower tier are left out: see {@link #lowerTierFreeFallbacks}.
     *
     * @param primary the first model
     * @param prefs the caller's preferences (capabilities, window, cost cap)
     * @param inputTokens estimated prompt tokens
     * @param outputTokens estimated output tokens
     * @return the chain, primary first
     */
    public List<ModelInfo> fallbackChain(ModelInfo primary, TaskPreferences prefs, long inputTokens,
            long outputTokens) {
        return fallbackChain(primary, primary.tier(), prefs, inputTokens, outputTokens);
    }

    /**
     * A fallback chain for {@code primary} when any model of at least {@code minimumTier} can do the task: the
     * primary, then the other capable free models of that tier or above with headroom (strongest first), then the
     * cheapest capable priced model of that tier or above last. A primary that fails for want of capacity (a rate
     * limit, an outage) hands the task to the cheapest model able to do it, not to a stronger, dearer one.
     *
     * @param primary the first model
     * @param minimumTier the lowest tier able to do the task, for example its {@link Complexity#minimumTier()}
     * @param prefs the caller's preferences (capabilities, window, cost cap)
     * @param inputTokens estimated prompt tokens
     * @param outputTokens estimated output tokens
     * @return the chain, primary first
     */
    public List<ModelInfo> fallbackChain(ModelInfo primary, int minimumTier, TaskPreferences prefs, long inputTokens,
            long outputTokens) {
        int floor = Math.min(minimumTier, 4);
        List<ModelInfo> capable = capable(prefs, inputTokens, outputTokens, new ArrayList<>(), Set.of(primary.name()));
        List<ModelInfo> chain = new ArrayList<>();
        chain.add(primary);
        capable.stream()
                .filter(m -> m.isFree() && m.tier() >= floor && headroom.of(m.name()) >= minHeadroom)
                .sorted(strongestFreeFirst())
                .forEach(chain::add);
        capable.stream()
                .filter(m -> !m.isFree() && m.tier() >= floor)
                .min(Comparator.comparing((ModelInfo m) -> cost(m, inputTokens, outputTokens))
                        .thenComparing(ModelInfo::tier, Comparator.reverseOrder()))
                .ifPresent(chain::add);
        return List.copyOf(chain);
    }

    /**
     * The capable free models of a lower tier than {@code primary} with headroom, strongest first (then most
     * headroom): the fallbacks {@link #fallbackChain} leaves out so as not to answer below the primary's tier, for
     * callers that would rather have a weaker free answer than none.
     *
     * @param primary the first model
     * @param prefs the caller's preferences (capabilities, window, cost cap)
     * @param inputTokens estimated prompt tokens
     * @param outputTokens estimated output tokens
     * @return the models, possibly none
     */
    public List<ModelInfo> lowerTierFreeFallbacks(ModelInfo primary, TaskPreferences prefs, long inputTokens,
            long outputTokens) {
        return capable(prefs, inputTokens, outputTokens, new ArrayList<>(), Set.of(primary.name())).stream()
                .filter(m -> m.isFree() && m.tier() < primary.tier() && headroom.of(m.name()) >= minHeadroom)
                .sorted(strongestFreeFirst())
                .toList();
    }

    private Comparator<ModelInfo> strongestFreeFirst() {
        return Comparator.comparingInt(ModelInfo::tier).reversed()
                .thenComparing(m -> headroom.of(m.name()), Comparator.reverseOrder());
    }

    /**
     * The estimated cost of a call on {@code model}.
     *
     * @param model the model
     * @param inputTokens prompt tokens
     * @param outputTokens output tokens
     * @return the cost by the selector's pricer
     */
    public Money cost(ModelInfo model, long inputTokens, long outputTokens) {
        return pricer.price(model.name(), Usage.of(inputTokens, outputTokens)).cost();
    }

    private Selection rank(List<ModelInfo> candidates, TaskType type, Complexity complexity, TaskPreferences prefs,
            long in, long out, List<String> rejected, String need) {
        boolean wantsReasoning = type == TaskType.MATH || type == TaskType.REASONING || complexity == Complexity.EXPERT;
        Comparator<ModelInfo> affinity = Comparator.comparingInt(m -> affinityPenalty(m, wantsReasoning, prefs));
        Set<ModelInfo> spent = new HashSet<>();
        if (prefs.preferFree()) {
            List<ModelInfo> free = new ArrayList<>();
            for (ModelInfo m : candidates) {
                if (!m.isFree()) {
                    continue;
                }
                double h = headroom.of(m.name());
                if (h < minHeadroom) {
                    rejected.add(m.name() + " headroom " + percent(h) + " < " + percent(minHeadroom));
                    spent.add(m);
                } else {
                    free.add(m);
                }
            }
            Optional<ModelInfo> best = free.stream().min(affinity.thenComparingInt(ModelInfo::tier)
                    .thenComparing(m -> headroom.of(m.name()), Comparator.reverseOrder()));
            if (best.isPresent()) {
                ModelInfo m = best.get();
                return new Selection(m, cost(m, in, out), m.name() + ": free, " + headroomNote(m.name())
                        + ", tier " + m.tier() + " (" + need + ")" + affinityNote(m, wantsReasoning,
                        prefs) + skipped(rejected));
            }
        }
        // a free model left for want of headroom is not taken back as the cheapest: it would answer 429
        List<ModelInfo> priced = candidates.stream().filter(m -> prefs.preferFree() || !isFreeTier(m))
                .filter(m -> !spent.contains(m)).toList();
        if (priced.isEmpty()) {
            priced = candidates;
        }
        ModelInfo m = priced.stream().min(Comparator.comparing((ModelInfo x) -> cost(x, in, out))
                .thenComparing(affinity).thenComparingInt(ModelInfo::tier)).get();
        String why = prefs.preferFree() ? "no free model with headroom fits, cheapest capable" : "cheapest capable";
        return new Selection(m, cost(m, in, out), m.name() + ": " + why + " at est. " + cost(m, in, out).format()
                + ", tier " + m.tier() + " (" + need + ")" + affinityNote(m, wantsReasoning,
                        prefs) + skipped(rejected));
    }

    private List<ModelInfo> capable(TaskPreferences prefs, long in, long out, List<String> rejected,
            Set<String> exclude) {
        long needWindow = Math.max(prefs.minContextWindow(), in + out);
        List<ModelInfo> result = new ArrayList<>();
        for (ModelInfo m : catalog.all()) {
            if (m.kind() != ModelKind.CHAT || exclude.contains(m.name()) || !available.test(m)) {
                continue;
            }
            List<Capability> missing = prefs.requiredCapabilities().stream().filter(c -> !m.supports(c)).toList();
            if (!missing.isEmpty()) {
                rejected.add(m.name() + " lacks " + missing);
                continue;
            }
            if (m.contextWindow() < needWindow) {
                rejected.add(m.name() + " window " + m.contextWindow() + " < " + needWindow);
                continue;
            }
            if (!knowsPrice(m, in, out)) {
                rejected.add(m.name() + " has no known price");
                continue;
            }
            if (prefs.maxCostPerCall().isPresent()) {
                Money c = cost(m, in, out);
                if (c.isGreaterThan(prefs.maxCostPerCall().get())) {
                    rejected.add(m.name() + " est. " + c.format() + " > max " + prefs.maxCostPerCall().get().format());
                    continue;
                }
            }
            result.add(m);
        }
        return result;
    }

    /**
     * Whether the pricer knows what a call on {@code m} costs. A model with no known price cannot be ranked by cost (as
     * $0 it would always look cheapest), so it is skipped: a permissive pricer says {@link PriceStatus#UNPRICED}, a
     * strict one (the default {@link CatalogPricer#of}) throws.
     */
    private boolean knowsPrice(ModelInfo m, long in, long out) {
        try {
            return pricer.price(m.name(), Usage.of(in, out)).status() != PriceStatus.UNPRICED;
        } catch (UnpricedModelException | UnknownModelException e) {
            return false;
        }
    }

    private static boolean isFreeTier(ModelInfo m) {
        return m.isFree() && m.freeTier().isPresent() && !m.freeTier().get().equals(
                dev.costwise.llm.catalog.FreeTier.UNLIMITED);
    }

    private static int affinityPenalty(ModelInfo m, boolean wantsReasoning, TaskPreferences prefs) {
        boolean thinks = m.supports(Capability.REASONING);
        int penalty = 0;
        if (prefs.latencySensitive() && thinks) {
            penalty += 2;
        }
        if (wantsReasoning && !thinks && !prefs.latencySensitive()) {
            penalty += 1;
        }
        return penalty;
    }

    private static String affinityNote(ModelInfo m, boolean wantsReasoning, TaskPreferences prefs) {
        boolean thinks = m.supports(Capability.REASONING);
        if (prefs.latencySensitive() && !thinks) {
            return ", no slow reasoning mode (latency sensitive)";
        }
        if (wantsReasoning && thinks) {
            return ", reasoning model for a reasoning-heavy task";
        }
        return "";
    }

    private static String skipped(List<String> rejected) {
        return rejected.isEmpty() ? "" : "; skipped " + String.join(", ", rejected.subList(0,
                Math.min(4, rejected.size()))) + (rejected.size() > 4 ? " and " + (rejected.size() - 4) + " more" : "");
    }

    private static String describe(TaskPreferences prefs, long in, long out) {
        return "capabilities " + prefs.requiredCapabilities() + ", window >= " + Math.max(prefs.minContextWindow(),
                in + out) + prefs.maxCostPerCall().map(m -> ", cost <= " + m.format()).orElse("");
    }

    /** A share as a percentage, to a tenth below 10% (1 request left of 1,000 is "0.1%", not "0%"). */
    static String percent(double ratio) {
        long tenths = Math.round(ratio * 1000);
        return tenths >= 100 || tenths % 10 == 0 ? Math.round(ratio * 100) + "%"
                : tenths / 10 + "." + tenths % 10 + "%";
    }

    /** The headroom a reason states: the measured share, or that nothing is known (never a made-up 100%). */
    private String headroomNote(String model) {
        return headroom.known(model).map(h -> percent(h) + " rate-limit headroom")
                .orElse("rate-limit headroom unknown (counted as full)");
    }

    /** Builds a {@link ModelSelector}. Not thread-safe. */
    public static final class Builder {
        private final ModelCatalog catalog;
        private Pricer pricer;
        private Headroom headroom = Headroom.UNKNOWN;
        private double minHeadroom = 0.1;
        private Predicate<ModelInfo> available = m -> true;

        private Builder(ModelCatalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
        }

        /**
         * Sets how estimates are priced. Default: the catalog's per-million prices.
         *
         * @param value the pricer
         * @return this builder
         */
        public Builder pricer(Pricer value) {
            this.pricer = Objects.requireNonNull(value, "pricer");
            return this;
        }

        /**
         * Sets the rate-limit headroom source. Default: {@link Headroom#UNKNOWN} (every model untouched).
         *
         * @param value the source, usually the usage tracker
         * @return this builder
         */
        public Builder headroom(Headroom value) {
            this.headroom = Objects.requireNonNull(value, "headroom");
            return this;
        }

        /**
         * Sets the least headroom a free model needs to be chosen. Default: 0.1 (10%).
         *
         * @param value a share in [0, 1]
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is outside [0, 1]
         */
        public Builder minHeadroom(double value) {
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException("minHeadroom must be in [0, 1], was " + value);
            }
            this.minHeadroom = value;
            return this;
        }

        /**
         * Restricts the choice to models passing {@code filter} (for example, those with a registered executor).
         * Default: every catalog model.
         *
         * @param filter the filter
         * @return this builder
         */
        public Builder onlyModels(Predicate<ModelInfo> filter) {
            this.available = Objects.requireNonNull(filter, "filter");
            return this;
        }

        /** @return the selector */
        public ModelSelector build() {
            return new ModelSelector(this);
        }
    }
}
