package dev.costwise.llm.orchestration;

import dev.costwise.core.Primitive;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.cost.Pricer;
import java.util.Objects;

/**
 * The spec's Pattern B as a ready-made workflow: a cheap (free) drafter writes the output, the orchestrator validates
 * it against a rubric, and a fail escalates to a stronger tier.
 *
 * <p>A {@link MultiModelWorkflow} with the executor fixed to the drafter (unless the request names one), validation
 * always on, classification by the free rules, and no skipping of simple tasks. Only validation spends orchestrator
 * tokens. As there, a draft that still fails once no escalation is left is returned, not thrown: check
 * {@link MultiModelResponse#validationPassed()}. Thread-safe.
 *
 * <pre>{@code
 * DraftAndValidate qa = DraftAndValidate.builder(catalog, executors, claude).drafter("gemini-2.5-pro:free").build();
 * MultiModelResponse r = qa.execute(MultiModelRequest.builder("Generate summary")
 *     .addMessage(Message.user("Summarize: ...")).rubric("Accurate and complete; no invented facts").build(), ctx);
 * }</pre>
 */
public final class DraftAndValidate implements Primitive<MultiModelRequest, MultiModelResponse> {
    private final MultiModelWorkflow workflow;
    private final String drafter;

    private DraftAndValidate(MultiModelWorkflow workflow, String drafter) {
        this.workflow = workflow;
        this.drafter = drafter;
    }

    /**
     * Starts a draft-and-validate workflow.
     *
     * @param catalog the models, with prices and tiers
     * @param executors the drafter and the stronger models escalation may use
     * @param orchestrator the model that validates
     * @return a builder
     */
    public static Builder builder(ModelCatalog catalog, ExecutorRegistry executors, ChatModel orchestrator) {
        return new Builder(catalog, executors, orchestrator);
    }

    /** @return the model that writes the drafts */
    public String drafter() {
        return drafter;
    }

    @Override
    public MultiModelResponse execute(MultiModelRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        MultiModelRequest.Builder b = MultiModelRequest.builder(request.taskDescription())
                .messages(request.messages()).preferences(request.preferences())
                .executor(request.executor().orElse(drafter));
        b = request.rubric().map(b::rubric).orElse(b.validated());
        return workflow.execute(b.build(), context);
    }

    /** Builds a {@link DraftAndValidate}. Not thread-safe. */
    public static final class Builder {
        private final ExecutorRegistry executors;
        private final MultiModelWorkflow.Builder workflow;
        private String drafter;

        private Builder(ModelCatalog catalog, ExecutorRegistry executors, ChatModel orchestrator) {
            this.executors = Objects.requireNonNull(executors, "executors");
            this.workflow = MultiModelWorkflow.builder(catalog, executors, orchestrator).skipSimpleTasks(false);
        }

        /**
         * Sets the drafting model. Required.
         *
         * @param model a registered executor, usually a free one
         * @return this builder
         * @throws UnknownExecutorException if {@code model} is not registered
         */
        public Builder drafter(String model) {
            executors.require(model);
            this.drafter = model;
            return this;
        }

        /** @param value escalations allowed after a failed validation; default 1; @return this builder */
        public Builder maxEscalations(int value) {
            workflow.maxEscalations(value);
            return this;
        }

        /** @param value what a malformed verdict counts as; default fail-closed; @return this builder */
        public Builder malformedVerdictPolicy(MalformedVerdictPolicy value) {
            workflow.malformedVerdictPolicy(value);
            return this;
        }

        /** @param value how usage is priced; default the catalog's prices; @return this builder */
        public Builder pricer(Pricer value) {
            workflow.pricer(value);
            return this;
        }

        /** @param value the rate-limit headroom source; default {@link Headroom#UNKNOWN}; @return this builder */
        public Builder headroom(Headroom value) {
            workflow.headroom(value);
            return this;
        }

        /** @param model the premium baseline model; default the orchestrator's; @return this builder */
        public Builder baselineModel(String model) {
            workflow.baselineModel(model);
            return this;
        }

        /**
         * @return the workflow
         * @throws IllegalStateException if no drafter was set, or the orchestrator or baseline is not in the catalog
         */
        public DraftAndValidate build() {
            if (drafter == null) {
                throw new IllegalStateException("draft-and-validate needs a drafter; call drafter(model)");
            }
            return new DraftAndValidate(workflow.build(), drafter);
        }
    }
}
