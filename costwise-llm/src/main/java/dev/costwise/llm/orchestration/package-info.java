/**
 * Multi-model orchestration, the spec's Pattern 5: a premium orchestrator plans and validates, cheap or free models
 * execute.
 *
 * <ul>
 *   <li>{@link dev.costwise.llm.orchestration.RuleBasedTaskClassifier} and
 *       {@link dev.costwise.llm.orchestration.LlmTaskClassifier}: complexity, task type, recommended model (through
 *       {@link dev.costwise.llm.orchestration.ModelSelector}: capabilities, window, cost cap, tier, free models with
 *       rate-limit {@link dev.costwise.llm.orchestration.Headroom}), reason, estimated cost, confidence.</li>
 *   <li>{@link dev.costwise.llm.orchestration.ExecutorRegistry} and
 *       {@link dev.costwise.llm.orchestration.DelegationPrimitive}: run a task on a named executor.</li>
 *   <li>{@link dev.costwise.llm.orchestration.MultiModelWorkflow}: classify, delegate (with a fallback chain),
 * validate,
 *       escalate; reports orchestrator and executor costs and savings against an all-premium baseline.</li>
 *   <li>{@link dev.costwise.llm.orchestration.PlanAndExecute} (Pattern A) and
 *       {@link dev.costwise.llm.orchestration.DraftAndValidate} (Pattern B).</li>
 * </ul>
 */
package dev.costwise.llm.orchestration;
