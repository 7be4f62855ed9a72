package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.wire.ReasoningBodyCap;
import java.util.Optional;

/**
 * What the gateway does to a chat body's reasoning setting ({@code reasoning_effort}, OpenRouter's
 * {@code reasoning}). Stateless.
 *
 * <p>{@link #cappedCopy}: a pipeline's or route's {@code max_reasoning_effort} lowers what a request asks a reasoning
 * model to spend on hidden reasoning, which is billed as output and is most of such a model's bill, by the library's
 * rule ({@link ReasoningBodyCap}, which {@link ChatService} also applies to the body before the cache key is taken,
 * so a capped request shares cache entries with one that asked for the cap).
 *
 * <p>{@link #without}: an attempt on a model that does not reason gets no setting, which its provider would refuse.
 */
final class ReasoningSettings {

    private ReasoningSettings() {}

    /**
     * @param body a chat body, shared by a request's attempts and not changed here
     * @param max the most effort the attempt's model may be asked for, if it has a cap of its own
     * @return the body with its reasoning lowered to {@code max}: a copy if that changes it, else {@code body}
     */
    static ObjectNode cappedCopy(ObjectNode body, Optional<ReasoningEffort> max) {
        if (max.isEmpty() || !ReasoningBodyCap.mayLower(body)) {
            return body;
        }
        ObjectNode copy = body.deepCopy();
        ReasoningBodyCap.cap(copy, max.get());
        return copy.equals(body) ? body : copy;
    }

    /**
     * @param body a chat body, shared by a request's attempts and not changed here
     * @return the body without its reasoning setting: a copy if it has one, else {@code body} itself
     */
    static ObjectNode without(ObjectNode body) {
        if (!body.has("reasoning_effort") && !body.has("reasoning")) {
            return body;
        }
        ObjectNode copy = body.deepCopy();
        copy.remove("reasoning_effort");
        copy.remove("reasoning");
        return copy;
    }
}
