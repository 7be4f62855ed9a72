package dev.costwise.llm.chat;

/** Who wrote a message, in the OpenAI chat-completions sense. */
public enum Role {
    /** Instructions that frame the conversation ({@code developer} is read as this too). */
    SYSTEM,
    /** The end user. */
    USER,
    /** The model. */
    ASSISTANT,
    /** The result of a tool call, answering an assistant's tool call by its id. */
    TOOL;

    /** @return the wire name: {@code system}, {@code user}, {@code assistant}, {@code tool} */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Reads a wire name.
     *
     * @param name {@code system}, {@code developer}, {@code user}, {@code assistant} or {@code tool}
     * @return the role
     * @throws IllegalArgumentException for any other name, naming it
     */
    public static Role fromWire(String name) {
        return switch (name) {
            case "system", "developer" -> SYSTEM;
            case "user" -> USER;
            case "assistant" -> ASSISTANT;
            case "tool", "function" -> TOOL;
            default -> throw new IllegalArgumentException(
                    "unknown role '" + name + "'; expected one of system, developer, user, assistant, tool");
        };
    }
}
