package dev.costwise.llm.provider.http;

import dev.costwise.llm.chat.Tool;
import dev.costwise.llm.provider.UnsupportedRequestException;
import java.util.List;

/**
 * For a provider that takes function tools only: refuses an Anthropic-defined client tool ({@code bash_20250124},
 * {@link Tool#anthropicDefinition()}), which only Anthropic models know, naming it by its place in the request.
 */
public final class FunctionTools {
    private FunctionTools() {}

    /**
     * @param tools a request's tools
     * @throws UnsupportedRequestException naming the first tool that is not a function
     */
    public static void require(List<Tool> tools) {
        for (int i = 0; i < tools.size(); i++) {
            if (tools.get(i).anthropicDefinition().isPresent()) {
                throw onlyAnthropic(i, tools.get(i).type());
            }
        }
    }

    /**
     * @param index the tool's place in the request's {@code tools}
     * @param type its type
     * @return the refusal of an Anthropic-defined tool by a provider that does not know it
     */
    public static UnsupportedRequestException onlyAnthropic(int index, String type) {
        return new UnsupportedRequestException("tools[" + index + "].type", "tool type '" + type + "' is an "
                + "Anthropic-defined client tool, understood only by Anthropic models: route the request to a Claude "
                + "model, or define the tool as a function with a JSON Schema");
    }
}
