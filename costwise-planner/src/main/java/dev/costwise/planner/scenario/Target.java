package dev.costwise.planner.scenario;

import java.util.List;
import java.util.Objects;

/** What a route (or a pipeline without a router) calls: one model, or an orchestration of steps. */
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
}
