package dev.costwise.llm.chat;

import java.util.regex.Pattern;

/**
 * The tool types Anthropic defines besides its custom (function) tools
 * (https://docs.claude.com/en/docs/agents-and-tools/tool-use/overview), each versioned by a date
 * ({@code bash_20250124}):
 *
 * <ul>
 *   <li>Client tools, which the model calls and the caller runs, like a function but with a schema Anthropic built
 *       into the model: bash, the text editor, computer use and memory. They reach Anthropic models as they came
 *       ({@link Tool#anthropicDefinition()}); other providers do not know them.</li>
 *   <li>Server tools, which run on Anthropic's own servers (web search, web fetch, code execution, tool search) and
 *       answer with blocks that have no chat form.</li>
 * </ul>
 */
public final class AnthropicToolTypes {
    private static final Pattern CLIENT = Pattern.compile("(bash|text_editor|computer|memory)_\\d{8}");
    private static final Pattern SERVER = Pattern.compile(
            "(web_search|web_fetch|code_execution|tool_search_tool_regex|tool_search_tool_bm25)_\\d{8}|mcp_toolset");

    private AnthropicToolTypes() {}

    /**
     * @param type a tool's {@code type}
     * @return {@code true} for one of Anthropic's client tools ({@code bash_20250124}, {@code text_editor_20250728},
     *     {@code computer_20250124}, {@code memory_20250818}...)
     */
    public static boolean isClientTool(String type) {
        return CLIENT.matcher(type).matches();
    }

    /**
     * @param type a tool's {@code type}
     * @return {@code true} for one of Anthropic's server tools ({@code web_search_20250305},
     *     {@code code_execution_20250825}...)
     */
    public static boolean isServerTool(String type) {
        return SERVER.matcher(type).matches();
    }
}
