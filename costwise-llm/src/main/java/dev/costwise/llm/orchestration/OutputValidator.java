package dev.costwise.llm.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the orchestrator model to judge an output against a rubric and answer {@code {"pass": bool, "reasons":
 * [...]}} in JSON mode. The verdict is the last JSON object in the reply holding a boolean {@code pass}, whatever
 * prose, code fence or other keys surround it; its reasons are optional. A reply without one (or a failed call) is
 * unreadable: recorded as {@code validator_malformed}, logged at WARN, and counted by the
 * {@link MalformedVerdictPolicy}. Thread-safe.
 */
final class OutputValidator {
    private static final Logger LOG = LoggerFactory.getLogger(OutputValidator.class);

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
            return malformed(model, Usage.ZERO, Money.ZERO, Duration.ZERO, "validator call failed: " + e.kind(), "",
                    context);
        }
        // the verdict asked for is {"pass": ..., "reasons": [...]}; a model may add keys, leave out the reasons, or
        // wrap the object in prose or a code fence, and its verdict is still its "pass"
        Optional<ObjectNode> json = JsonReply.lastObjectWithBoolean(reply.text(), "pass");
        if (json.isEmpty()) {
            return malformed(model, reply.usage(), reply.cost(), reply.latency(),
                    "no JSON object with a boolean 'pass'", reply.text(), context);
        }
        boolean passed = json.get().get("pass").asBoolean();
        List<String> reasons = reasons(json.get().get("reasons"));
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("model", model);
        attrs.put("pass", passed);
        attrs.put("reasons", reasons);
        context.record("validator", "validated", attrs);
        return new Verdict(passed, reasons, false, model, reply.usage(), reply.cost(), reply.latency(),
                Optional.empty());
    }

    /**
     * @return a verdict's reasons: optional, as a verdict is read by its {@code pass}; an array's items, or a lone
     *     string, as given
     */
    private static List<String> reasons(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            return node.isValueNode() ? List.of(node.asText()) : List.of(node.toString());
        }
        List<String> reasons = new ArrayList<>();
        for (JsonNode r : node) {
            reasons.add(r.isValueNode() ? r.asText() : r.toString());
        }
        return reasons;
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

    /**
     * @param problem what is wrong, without the reply's text
     * @param replyText the reply, kept (shortened) in the context's record only: it may quote the caller's task
     */
    private Verdict malformed(String model, Usage usage, Money cost, Duration latency, String problem,
            String replyText, WorkflowContext context) {
        boolean passed = policy == MalformedVerdictPolicy.FAIL_OPEN;
        LOG.warn("unreadable verdict from orchestrator {} on {}'s answer ({}): counted as a {}", orchestrator.name(),
                model, problem, passed ? "pass" : "fail");
        context.record("validator", "validator_malformed", Map.of("model", model, "problem", problem, "reply",
                FallbackRunner.shorten(replyText), "countedAs", passed ? "pass" : "fail", "policy", policy.name()));
        return new Verdict(passed, List.of("malformed verdict (" + policy + "): " + problem), true, model, usage, cost,
                latency, Optional.of(problem));
    }
}
