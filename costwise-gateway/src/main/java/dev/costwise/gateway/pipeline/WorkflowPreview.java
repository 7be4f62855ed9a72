package dev.costwise.gateway.pipeline;

import dev.costwise.gateway.config.GatewayConfig.Model;
import java.util.List;

/**
 * How a workflow pipeline ({@code workflow: true}) would run a request, decided without calling a model: what route
 * explain shows, and what the request's budget reservation covers.
 *
 * @param complexity the rules' classification ({@code simple}, {@code medium}, {@code complex})
 * @param reason why it was classified so
 * @param orchestrated {@code false} when a simple task skips the orchestrator (no verdict, no escalation)
 * @param executor the executor the task is delegated to first
 * @param executors every executor of the workflow (a fallback or escalation may land on any of them)
 * @param orchestrator the model that validates
 * @param rounds the most executor answers the request may be billed for: one, plus one per escalation
 * @param validated whether each answer is followed by a verdict call to the orchestrator
 * @param verdictPrompt a verdict call's prompt besides the answer it judges; empty when nothing is validated
 * @param verdictMaxTokens a verdict call's output cap
 */
public record WorkflowPreview(String complexity, String reason, boolean orchestrated, Model executor,
        List<Model> executors, Model orchestrator, int rounds, boolean validated, String verdictPrompt,
        int verdictMaxTokens) {

    public WorkflowPreview {
        executors = List.copyOf(executors);
    }
}
