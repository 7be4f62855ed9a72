package dev.costwise.llm.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.provider.ProviderException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Asks the orchestrator model to judge an output against a rubric and answer {@code {"pass": bool, "reasons":
 * [...]}} in JSON mode. A reply that is not that JSON (or a failed call) is recorded as {@code validator_malformed}
 * and counted by the {@link MalformedVerdictPolicy}. Thread-safe.
 */
final class OutputValidator {
    static final String DEFAULT_RUBRIC = "The output does exactly what the task asks, completely and correctly, with "
            + "no factual or logical errors, in the requested format and length.";

    /**
     * The most output a verdict may take. A verdict is a short JSON object; the cap bounds what a validation can cost
     * before it is made, with room for a reasoning orchestrator's thinking (a verdict cut short counts as malformed).
     */
    static final int VERDICT_MAX_TOKENS = 1024;

    private static final String SYSTEM = "You are a strict reviewer of another model's work. Judge whether the OUTPUT "
            + "fulfils the TASK according to the RUBRIC. Reply with only a JSON object: "
            + "{\"pass\": true or false, \"reasons\": [\"short reason\", ...]}.";

    private final Orchestrator orchestrator;
    private final MalformedVerdictPolicy policy;

    OutputValidator(Orchestrator orchestrator, MalformedVerdictPolicy policy) {
        this.orchestrator = Objects.requireNonNull(orchestrator, "orchestrator");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    Verdict judge(String task, String rubric, String model, String output, WorkflowContext context) {
        Orchestrator.Reply reply;
        try {
            reply = orchestrator.ask("validate", List.of(Message.system(SYSTEM), Message.user(prompt(task, rubric,
                    model) + output)), true, VERDICT_MAX_TOKENS, context);
        } catch (ProviderException e) {
            return malformed(model, Usage.ZERO, Money.ZERO, Duration.ZERO, "validator call failed: " + e.kind(),
                    context);
        }
        try {
            JsonNode json = JsonReply.object(reply.text());
            JsonNode pass = json.get("pass");
            if (pass == null || !pass.isBoolean()) {
                throw new JsonReply.Invalid("field 'pass' must be true or false, was " + pass);
            }
            JsonNode reasonsNode = json.get("reasons");
            if (reasonsNode == null || !reasonsNode.isArray()) {
                throw new JsonReply.Invalid("field 'reasons' must be an array of strings, was " + reasonsNode);
            }
            List<String> reasons = new ArrayList<>();
            for (JsonNode r : reasonsNode) {
                if (!r.isTextual()) {
                    throw new JsonReply.Invalid("field 'reasons' must hold strings, had " + r);
                }
                reasons.add(r.asText());
            }
            if (!pass.asBoolean() && reasons.isEmpty()) {
                throw new JsonReply.Invalid("a failing verdict must give at least one reason");
            }
            Map<String, Object> attrs = new LinkedHashMap<>();
            attrs.put("model", model);
            attrs.put("pass", pass.asBoolean());
            attrs.put("reasons", reasons);
            context.record("validator", "validated", attrs);
            return new Verdict(pass.asBoolean(), reasons, false, model, reply.usage(), reply.cost(), reply.latency(),
                    Optional.empty());
        } catch (JsonReply.Invalid e) {
            return malformed(model, reply.usage(), reply.cost(), reply.latency(), e.getMessage(), context);
        }
    }

    /**
     * @return the text of a verdict call's messages besides the output judged: system text, task, rubric and labels
     *     (what its input is, less the output's own tokens)
     */
    static String promptText(String task, String rubric, String model) {
        return SYSTEM + "\n" + prompt(task, rubric, model);
    }

    private static String prompt(String task, String rubric, String model) {
        return "TASK:\n" + task + "\n\nRUBRIC:\n" + rubric + "\n\nOUTPUT (by " + model + "):\n";
    }

    private Verdict malformed(String model, Usage usage, Money cost, Duration latency, String problem,
            WorkflowContext context) {
        boolean passed = policy == MalformedVerdictPolicy.FAIL_OPEN;
        context.record("validator", "validator_malformed", Map.of("model", model, "problem", problem, "countedAs",
                passed ? "pass" : "fail", "policy", policy.name()));
        return new Verdict(passed, List.of("malformed verdict (" + policy + "): " + problem), true, model, usage, cost,
                latency, Optional.of(problem));
    }
}
