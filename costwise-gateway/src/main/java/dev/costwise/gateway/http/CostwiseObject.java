package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.Money;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code costwise} object that tells a client what its request cost: beside a stream's usage (and in its error
 * event), in a workflow's answer, and in an error answer after an attempt was billed. Its fields, always in this
 * order and each only when known: {@code cost}; where the answer came from ({@code cache}, {@code model_used},
 * {@code route}); {@code "estimated": true} when the usage is the gateway's estimate; a workflow run's
 * {@code orchestrator_cost}, {@code executor_cost}, {@code failed_cost} and {@code baseline_cost}; {@code savings}; and
 * the run's {@code complexity}, {@code escalations} and {@code validation}. Amounts are exact decimal strings
 * ({@link Money#toString()}). Immutable.
 *
 * @param cost what the request cost, failed attempts its providers billed included
 * @param served where the answer came from, if the object says so
 * @param estimated the cost is of usage the gateway estimated, the provider having reported none
 * @param run a workflow run's breakdown, if the answer is a run's
 * @param savings what was saved against the baseline, if the object says so
 */
public record CostwiseObject(Money cost, Optional<Served> served, boolean estimated, Optional<RunCosts> run,
        Optional<Money> savings) {

    /** The object's name in the JSON that carries it. */
    public static final String FIELD = "costwise";

    public CostwiseObject {
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(served, "served");
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(savings, "savings");
    }

    /**
     * Where an answer came from.
     *
     * @param cache {@code hit}, {@code miss} or {@code bypass}
     * @param modelUsed the model that answered (of a failure: the last billed attempt's)
     * @param route the route taken
     */
    public record Served(String cache, String modelUsed, String route) {
        public Served {
            Objects.requireNonNull(cache, "cache");
            Objects.requireNonNull(modelUsed, "modelUsed");
            Objects.requireNonNull(route, "route");
        }
    }

    /**
     * What a workflow run's calls cost, and what its answer would have cost on the baseline.
     *
     * @param orchestrator the orchestrator's calls
     * @param executor the executors' calls
     * @param failed the failed calls their providers billed
     * @param baseline the returned answer's tokens on the pipeline's baseline model
     * @param complexity the task's complexity, lower case
     * @param escalations how many times a failed verdict sent the task to a stronger executor
     * @param validation how the returned answer's validation went ({@code passed}, {@code failed} or
     *     {@code unreadable}); empty when the run did not validate it
     */
    public record RunCosts(Money orchestrator, Money executor, Money failed, Money baseline, String complexity,
            int escalations, Optional<String> validation) {
        public RunCosts {
            Objects.requireNonNull(orchestrator, "orchestrator");
            Objects.requireNonNull(executor, "executor");
            Objects.requireNonNull(failed, "failed");
            Objects.requireNonNull(baseline, "baseline");
            Objects.requireNonNull(complexity, "complexity");
            Objects.requireNonNull(validation, "validation");
        }
    }

    /**
     * @param cost what the request cost
     * @param cache {@code hit}, {@code miss} or {@code bypass}
     * @param modelUsed the model that answered
     * @param route the route taken
     * @return the object of an answer or a stream's usage chunk: cost, cache, model used, route
     */
    public static CostwiseObject of(Money cost, String cache, String modelUsed, String route) {
        return new CostwiseObject(cost, Optional.of(new Served(cache, modelUsed, route)), false, Optional.empty(),
                Optional.empty());
    }

    /**
     * @param billed what a failed request was billed
     * @return the object of its error answer: cost, cache, the last billed attempt's model, route
     */
    public static CostwiseObject of(GatewayException.Billed billed) {
        return of(billed.cost(), billed.cache(), billed.modelUsed(), billed.route());
    }

    /**
     * @param cost what the run cost, its billed failed calls included
     * @param run its breakdown
     * @return the object of a workflow run's answer, its savings the baseline's cost minus {@code cost}
     */
    public static CostwiseObject ofRun(Money cost, RunCosts run) {
        return new CostwiseObject(cost, Optional.empty(), false, Optional.of(run),
                Optional.of(run.baseline().minus(cost)));
    }

    /** @return this object saying where the answer came from */
    public CostwiseObject withServed(String cache, String modelUsed, String route) {
        return new CostwiseObject(cost, Optional.of(new Served(cache, modelUsed, route)), estimated, run, savings);
    }

    /** @return this object marked as the cost of usage the gateway estimated, when {@code value} is true */
    public CostwiseObject withEstimated(boolean value) {
        return new CostwiseObject(cost, served, value, run, savings);
    }

    /** @return this object saying what was saved */
    public CostwiseObject withSavings(Money value) {
        return new CostwiseObject(cost, served, estimated, run, Optional.of(value));
    }

    /**
     * Writes the object into {@code parent} as its {@value #FIELD} field, replacing one already there.
     *
     * @param parent the answer, chunk or event that carries it
     * @return the object written
     */
    public ObjectNode writeTo(ObjectNode parent) {
        ObjectNode out = parent.putObject(FIELD);
        out.put("cost", cost.toString());
        served.ifPresent(s -> out.put("cache", s.cache()).put("model_used", s.modelUsed()).put("route", s.route()));
        if (estimated) {
            out.put("estimated", true);
        }
        run.ifPresent(r -> out.put("orchestrator_cost", r.orchestrator().toString())
                .put("executor_cost", r.executor().toString()).put("failed_cost", r.failed().toString())
                .put("baseline_cost", r.baseline().toString()));
        savings.ifPresent(s -> out.put("savings", s.toString()));
        run.ifPresent(r -> {
            out.put("complexity", r.complexity()).put("escalations", r.escalations());
            r.validation().ifPresent(v -> out.put("validation", v));
        });
        return out;
    }

    /** @return the object as compact JSON, {@code {"cost":"…",…}} */
    public String toJson() {
        return writeTo(JsonNodeFactory.instance.objectNode()).toString();
    }
}
