package dev.costwise.llm.provider.http;

import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tool-call ids that carry a Gemini thought signature. Thinking Gemini models sign their function calls and Gemini 3
 * rejects a later turn that does not send the signature back
 * (https://ai.google.dev/gemini-api/docs/thought-signatures). A canonical tool call has no field for it, so the Gemini
 * adapter appends it to the call's id, after {@value #MARK}, which OpenAI-style clients echo back unchanged in the
 * call and in its result's {@code tool_call_id}.
 *
 * <p>Only Gemini reads it. Every other provider gets the id without it, as it never gets Anthropic's signed
 * thinking: a signature is hundreds of base64 characters, and OpenAI refuses a tool-call id over 40 characters,
 * Anthropic one outside {@code ^[a-zA-Z0-9_-]+$} ({@code +}, {@code /} and {@code =} are base64). What is left is the
 * id the Gemini adapter made ({@code call_<responseId>_<n>}) or the one Gemini sent; the same id in a call and in its
 * result stays the same after the cut, so they still match.
 */
public final class ThoughtSignatureIds {

    /** What separates the id from the signature. */
    public static final String MARK = "__thought__";

    private ThoughtSignatureIds() {}

    /**
     * @param id a tool call's id
     * @param signature Gemini's {@code thoughtSignature} for the call
     * @return the id carrying the signature
     */
    public static String sign(String id, String signature) {
        return id + MARK + signature;
    }

    /**
     * @param id a tool call's id
     * @return the thought signature it carries, if any
     */
    public static Optional<String> signature(String id) {
        int mark = id.indexOf(MARK);
        return mark < 0 ? Optional.empty() : Optional.of(id.substring(mark + MARK.length()));
    }

    /**
     * @param id a tool call's id
     * @return whether it carries a thought signature
     */
    public static boolean isSigned(String id) {
        return id.contains(MARK);
    }

    /**
     * @param id a tool call's id
     * @return the id without its thought signature; {@code id} itself when it carries none
     */
    public static String unsigned(String id) {
        int mark = id.indexOf(MARK);
        return mark < 0 ? id : id.substring(0, mark);
    }

    /**
     * The request with no thought signature in its assistant messages' tool-call ids or its tool results' call ids,
     * for a provider other than Gemini.
     *
     * @param request a request
     * @return {@code request} itself when no id carries a signature (the common case), else a copy without them
     */
    public static ChatRequest unsigned(ChatRequest request) {
        if (request.messages().stream().noneMatch(ThoughtSignatureIds::isSigned)) {
            return request;
        }
        List<Message> messages = new ArrayList<>(request.messages().size());
        for (Message m : request.messages()) {
            messages.add(isSigned(m) ? unsigned(m) : m);
        }
        return request.toBuilder().messages(messages).build();
    }

    private static boolean isSigned(Message m) {
        return m.toolCallId().filter(ThoughtSignatureIds::isSigned).isPresent()
                || m.toolCalls().stream().anyMatch(call -> isSigned(call.id()));
    }

    private static Message unsigned(Message m) {
        List<ToolCall> calls = m.toolCalls().stream()
                .map(call -> new ToolCall(unsigned(call.id()), call.name(), call.arguments())).toList();
        return new Message(m.role(), m.content(), m.name(), calls, m.toolCallId().map(ThoughtSignatureIds::unsigned),
                m.toolError(), m.toolCallPositions());
    }
}
