package dev.costwise.planner.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ResponseFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * An LLM judge: asks {@code model} for a JSON verdict {@code {"verdict": "same|better|worse", "reason": "..."}}
 * comparing answer B (the pipeline's) with answer A (the baseline's). An answer it cannot read is
 * {@link Verdict#UNPARSABLE}.
 */
public final class ModelJudge implements Judge {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_CHARS = 6_000;

    private final ChatModel model;

    /**
     * @param model the judge model
     */
    public ModelJudge(ChatModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    @Override
    public Verdict compare(ChatRequest request, ChatResponse baseline, ChatResponse candidate) {
        String prompt = "You compare two answers to the same request. Reply with JSON only: "
                + "{\"verdict\": \"same\" | \"better\" | \"worse\", \"reason\": \"...\"}, judging answer B against "
                + "answer A (same = equally useful).\n\nREQUEST:\n" + cut(request.lastUserText())
                + "\n\nANSWER A:\n" + cut(baseline.text()) + "\n\nANSWER B:\n" + cut(candidate.text());
        ChatRequest ask = ChatRequest.builder(model.name()).addMessage(Message.user(prompt))
                .responseFormat(new ResponseFormat.JsonObject()).temperature(0).build();
        ChatResponse answer = model.execute(ask, WorkflowContext.of("planner-judge"));
        return parse(answer.text());
    }

    static Verdict parse(String text) {
        try {
            String t = text.strip();
            int start = t.indexOf('{');
            int end = t.lastIndexOf('}');
            if (start < 0 || end < start) {
                return Verdict.UNPARSABLE;
            }
            JsonNode node = JSON.readTree(t.substring(start, end + 1));
            return switch (node.path("verdict").asText("").toLowerCase(Locale.ROOT)) {
                case "same" -> Verdict.SAME;
                case "better" -> Verdict.BETTER;
                case "worse" -> Verdict.WORSE;
                default -> Verdict.UNPARSABLE;
            };
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Verdict.UNPARSABLE;
        }
    }

    private static String cut(String s) {
        return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS) + " [...]";
    }

    @Override
    public String describe() {
        return "judge: " + model.name() + " (" + model.provider() + ")";
    }
}
