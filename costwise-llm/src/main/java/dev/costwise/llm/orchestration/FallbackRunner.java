package dev.costwise.llm.orchestration;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.Capability;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.provider.ProviderException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Tries a task on each executor of a chain in order, moving on when one fails in a way another model may not (rate
 * limit, quota, overload, server error, timeout, connection, malformed response, context length, not found, content
 * filter) and stopping at once on the caller's mistakes (invalid request, authentication, permission), at the deadline
 * or on interruption. Written here because core's Fallback primitive is not yet available to this module.
 */
final class FallbackRunner {
    private final DelegationPrimitive delegation;
    /** Whether an executor reasons: one that does not gets the task without its reasoning setting. */
    private final Predicate<String> reasons;

    FallbackRunner(DelegationPrimitive delegation, Predicate<String> reasons) {
        this.delegation = Objects.requireNonNull(delegation, "delegation");
        this.reasons = Objects.requireNonNull(reasons, "reasons");
    }

    /**
     * @param catalog the catalog the executors are named in
     * @return a predicate true for the executors the catalog says reason, or does not know
     */
    static Predicate<String> reasoningIn(ModelCatalog catalog) {
        return name -> catalog.find(name).map(m -> m.supports(Capability.REASONING)).orElse(true);
    }

    /** The answer and the executors that failed before it. */
    record Outcome(DelegationResponse response, List<FallbackStep> fallbacks) {
        Outcome {
            Objects.requireNonNull(response, "response");
            fallbacks = List.copyOf(fallbacks);
        }
    }

    Outcome run(DelegationRequest template, List<String> chain, WorkflowContext context, String name) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("fallback chain for task '" + shorten(template.taskDescription())
                    + "' is empty");
        }
        List<FallbackStep> failed = new ArrayList<>();
        List<ProviderException> causes = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            String model = chain.get(i);
            if (context.deadline().map(d -> d.isExpired()).orElse(false)) {
                throw allFailed(template, failed, causes, "deadline passed before trying " + model,
                        chain.subList(i, chain.size()));
            }
            if (Thread.currentThread().isInterrupted()) {
                throw allFailed(template, failed, causes, "interrupted before trying " + model, List.of());
            }
            try {
                DelegationRequest step = template.withExecutor(model);
                return new Outcome(delegation.execute(reasons.test(model) ? step : step.withoutReasoning(), context),
                        failed);
            } catch (ProviderException e) {
                if (isCallersMistake(e)) {
                    throw e;
                }
                failed.add(new FallbackStep(model, e.kind(), e.getMessage()));
                causes.add(e);
                Map<String, Object> attrs = new LinkedHashMap<>();
                attrs.put("from", model);
                attrs.put("errorKind", e.kind());
                attrs.put("to", i + 1 < chain.size() ? chain.get(i + 1) : "none");
                context.record(name, "fallback", attrs);
            }
        }
        throw allFailed(template, failed, causes, "", List.of());
    }

    private static boolean isCallersMistake(ProviderException e) {
        return e instanceof ProviderException.InvalidRequest || e instanceof ProviderException.AuthenticationFailed
                || e instanceof ProviderException.PermissionDenied;
    }

    private static AllExecutorsFailedException allFailed(DelegationRequest template, List<FallbackStep> failed,
            List<ProviderException> causes, String why, List<String> outOfTime) {
        AllExecutorsFailedException e = new AllExecutorsFailedException(shorten(template.taskDescription()), failed,
                why, outOfTime);
        causes.forEach(e::addSuppressed);
        return e;
    }

    static String shorten(String text) {
        String oneLine = text.replace('\n', ' ').strip();
        return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
    }
}
