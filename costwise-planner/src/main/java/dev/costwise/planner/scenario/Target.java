package dev.costwise.planner.scenario;

import java.util.List;
import java.util.Objects;

/**
 * What a route (or a pipeline without a router) calls: one model, an orchestration of fixed steps, or the gateway's
 * multi-model workflow.
 */
public sealed interface Target {

    /** @return every call site of this target */
    List<CallSite> sites();

    /**
     * One model call.
     *
     * @param site the call
     */
    record Single(CallSite site) implements Target {
        public Single {
            Objects.requireNonNull(site, "site");
        }

        @Override
        public List<CallSite> sites() {
            return List.of(site);
        }
    }

    /**
     * Multi-model orchestration (the spec's Pattern 5): each step is one call, in order, and the request is answered
     * when all steps have answered (plan, execute, validate...).
     *
     * @param steps the calls, at least one
     */
    record Steps(List<CallSite> steps) implements Target {
        public Steps {
            steps = List.copyOf(steps);
            ScenarioException.require(!steps.isEmpty(), "steps cannot be empty");
        }

        @Override
        public List<CallSite> sites() {
            return steps;
        }
    }

    /**
     * The gateway's multi-model workflow (a pipeline with {@code workflow: true}, the spec's Pattern 5), run by the
     * library's {@link dev.costwise.llm.orchestration.MultiModelWorkflow} as the gateway runs it: the rules classify
     * each task, a simple one goes straight to the cheapest capable executor, any other is delegated to the executor
     * the classification recommends and, when validated, judged by the orchestrator, a failed verdict escalating to
     * a stronger executor.
     *
     * @param executors the models tasks are delegated to (the routes' models), in order, without repeats
     * @param orchestrator the model that judges answers (the pipeline's {@code default_route})
     * @param baseline the model the workflow measures its savings against ({@code baseline}, else the orchestrator)
     * @param validate whether the orchestrator judges each answer to a task that is not simple
     */
    record Workflow(List<CallSite> executors, CallSite orchestrator, String baseline, boolean validate)
            implements Target {
        public Workflow {
            executors = List.copyOf(executors);
            Objects.requireNonNull(orchestrator, "orchestrator");
            Objects.requireNonNull(baseline, "baseline");
            ScenarioException.require(!executors.isEmpty(), "a workflow needs at least one executor");
        }

        @Override
        public List<CallSite> sites() {
            List<CallSite> all = new java.util.ArrayList<>(executors);
            all.add(orchestrator);
            return List.copyOf(all);
        }
    }
}
