package dev.costwise.llm.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.provider.ProviderException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Asks the orchestrator model to judge a task's complexity and type, in JSON mode, and recommends the model through
 * the rules' {@link ModelSelector} (so preferences, capabilities, cost caps and headroom are honoured whatever the
 * model says).
 *
 * <p>The reply must be a JSON object with {@code complexity} (one of {@link Complexity}), {@code task_type} (one of
 * {@link TaskType}), {@code reason} (text) and optionally {@code confidence} (0 to 1). When the call fails (a provider
 * error) or the reply is malformed (not JSON, a missing field, a value outside the enums), the
 * {@link RuleBasedTaskClassifier} answers instead: the context gets a {@code llm_fallback} record with the problem and
 * the classification's reason starts with it; its source is {@code rules-fallback}. Tokens the failed call billed are
 * still reported. Thread-safe.
 *
 * <pre>{@code
 * TaskClassifier classifier = LlmTaskClassifier.of(claude, RuleBasedTaskClassifier.builder(catalog).build());
 * }</pre>
 */
public final class LlmTaskClassifier implements TaskClassifier {
    /**
     * The most output a classification may take: a short JSON object, with room for a reasoning model's thinking. The
     * cap bounds what the call can cost before it is made (a classification cut short falls back to the rules).
     */
    public static final int CLASSIFICATION_MAX_TOKENS = 1024;

    private static final String SYSTEM = "You classify tasks for a model router. Reply with only a JSON object: "
            + "{\"complexity\": one of [" + JsonReply.enumList(Complexity.class) + "], \"task_type\": one of ["
            + JsonReply.enumList(TaskType.class) + "], \"reason\": \"one sentence naming the deciding signals\", "
            + "\"confidence\": a number from 0 to 1}. SIMPLE: a lookup or short reply; MODERATE: a few steps; "
            + "COMPLEX: multi-step work, code with edge cases, long structured output; EXPERT: proofs, system design, "
            + "long multi-constraint work.";

    private final Orchestrator orchestrator;
    private final RuleBasedTaskClassifier rules;

    private LlmTaskClassifier(ChatModel orchestrator, RuleBasedTaskClassifier rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.orchestrator = new Orchestrator(orchestrator, rules.selector().pricer());
    }

    /**
     * A classifier that asks {@code orchestrator} and falls back to {@code rules}.
     *
     * @param orchestrator the model asked to classify (its usage is priced with the rules' pricer)
     * @param rules the fallback, whose selector also picks the model
     * @return the classifier
     */
    public static LlmTaskClassifier of(ChatModel orchestrator, RuleBasedTaskClassifier rules) {
        return new LlmTaskClassifier(orchestrator, rules);
    }

    /**
     * @throws NoCapableModelException if no model meets the preferences' capability, window and cost needs
     */
    @Override
    public TaskClassification execute(TaskClassificationRequest request, WorkflowContext context) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(context, "context");
        String prompt = "TASK:\n" + request.askText();
        Orchestrator.Reply reply;
        try {
            reply = orchestrator.ask("classify", List.of(Message.system(SYSTEM), Message.user(prompt)), true,
                    CLASSIFICATION_MAX_TOKENS, context);
        } catch (ProviderException e) {
            return fallBack(request, context, "orchestrator call failed: " + e.kind(), Usage.ZERO);
        }
        try {
            JsonNode json = JsonReply.object(reply.text());
            Complexity complexity = JsonReply.requiredEnum(json, "complexity", Complexity.class);
            TaskType type = JsonReply.requiredEnum(json, "task_type", TaskType.class);
            String reason = JsonReply.requiredText(json, "reason");
            double confidence = 0.8;
            JsonNode c = json.get("confidence");
            if (c != null && !c.isNull()) {
                if (!c.isNumber() || c.asDouble() < 0 || c.asDouble() > 1) {
                    throw new JsonReply.Invalid("field 'confidence' must be a number in [0, 1], was " + c);
                }
                confidence = c.asDouble();
            }
            TaskClassification picked = rules.classify(request, complexity, type, confidence);
            TaskClassification result = picked.withReason("llm (" + orchestrator.name() + "): " + reason + "; "
                    + picked.reason(), "llm").withClassifierUsage(reply.usage());
            record(context, result);
            return result;
        } catch (JsonReply.Invalid e) {
            return fallBack(request, context, "malformed reply: " + e.getMessage(), reply.usage());
        }
    }

    private TaskClassification fallBack(TaskClassificationRequest request, WorkflowContext context, String why,
            Usage spent) {
        context.record("task-classifier", "llm_fallback", Map.of("model", orchestrator.name(), "why", why));
        TaskClassification rulesAnswer = rules.classify(request);
        TaskClassification result = rulesAnswer.withReason("LLM classifier failed (" + why + "), rules answered: "
                + rulesAnswer.reason(), "rules-fallback").withClassifierUsage(spent);
        record(context, result);
        return result;
    }

    private static void record(WorkflowContext context, TaskClassification c) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("source", c.source());
        attrs.put("complexity", c.complexity().name());
        attrs.put("taskType", c.taskType().name());
        attrs.put("model", c.recommendedModel());
        attrs.put("confidence", c.confidence());
        context.record("task-classifier", "classified", attrs);
    }
}
