package dev.costwise.llm.wire;

import dev.costwise.core.CostwiseException;
import java.util.Objects;

/**
 * A JSON document does not have the OpenAI shape: the message names the field by its path and says what is wrong, as
 * in {@code messages[2].role: unknown role 'bot'}. The gateway answers it with HTTP 400 and
 * {@code "param": field()}.
 */
public final class WireFormatException extends CostwiseException {

    private final String field;
    private final String problem;

    /**
     * @param field the path of the field, such as {@code messages[2].role}; empty for the whole document
     * @param problem what is wrong, naming the value
     */
    public WireFormatException(String field, String problem) {
        this(field, problem, null);
    }

    /**
     * @param field the path of the field; empty for the whole document
     * @param problem what is wrong
     * @param cause the underlying failure, or {@code null}
     */
    public WireFormatException(String field, String problem, Throwable cause) {
        super(field.isEmpty() ? problem : field + ": " + problem, cause);
        this.field = Objects.requireNonNull(field, "field");
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    /** @return the path of the offending field ({@code messages[2].role}); empty for the whole document */
    public String field() {
        return field;
    }

    /** @return what is wrong, without the field */
    public String problem() {
        return problem;
    }
}
