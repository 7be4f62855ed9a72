package dev.costwise.llm.provider.gemini;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.provider.UnsupportedRequestException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates a request's {@link Reasoning} into Gemini's {@code generationConfig.thinkingConfig}
 * (https://ai.google.dev/gemini-api/docs/thinking), by model family.
 *
 * <p><b>Gemini 3 and later</b> (a model id {@code gemini-3…}) take {@code thinkingLevel}: the caller's effort
 * ({@link Reasoning#effortOrNearest()}) if the model has that level, else the level whose budget in
 * {@link Reasoning}'s table is nearest on a logarithmic scale. These models cannot turn thinking off: a request for no
 * reasoning gets the model's lowest level.
 *
 * <table>
 *   <caption>Gemini 3 levels</caption>
 *   <tr><th>model</th><th>levels</th><th>none</th><th>minimal</th><th>medium</th><th>xhigh, max</th></tr>
 *   <tr><td>gemini-3-pro</td><td>low, high</td><td>low</td><td>low</td><td>high</td><td>high</td></tr>
 *   <tr><td>gemini-3.1-pro and later Pro</td><td>low, medium, high</td><td>low</td><td>low</td><td>medium</td>
 *       <td>high</td></tr>
 *   <tr><td>gemini-3.7-flash and later Flash (not Flash-Lite)</td><td>low, medium, high</td><td>low</td>
 *       <td>low</td><td>medium</td><td>high</td></tr>
 *   <tr><td>other Gemini 3 (Flash, Flash-Lite)</td><td>minimal, low, medium, high</td><td>minimal</td>
 *       <td>minimal</td><td>medium</td><td>high</td></tr>
 * </table>
 *
 * <p><b>Other models</b> take {@code thinkingBudget}: {@link Reasoning#budgetOrNearest()}, 0 for no reasoning,
 * brought into the model's documented range.
 *
 * <table>
 *   <caption>Gemini 2.5 budgets</caption>
 *   <tr><th>model</th><th>budget (tokens)</th><th>off (0)</th></tr>
 *   <tr><td>gemini-2.5-pro</td><td>128 to 32,768</td><td>refused: it always thinks</td></tr>
 *   <tr><td>gemini-2.5-flash</td><td>1 to 24,576</td><td>sent</td></tr>
 *   <tr><td>gemini-2.5-flash-lite</td><td>512 to 24,576</td><td>sent</td></tr>
 *   <tr><td>Gemini 2.0, 1.x</td><td>none: they do not think</td><td>nothing sent; any other setting refused</td></tr>
 *   <tr><td>any other (an alias such as gemini-flash-latest)</td><td>as asked</td><td>sent</td></tr>
 * </table>
 */
final class GeminiThinking {

    private static final Pattern VERSIONED = Pattern.compile("gemini-(\\d+)(?:\\.(\\d+))?-(.+)");

    private static final Range PRO_25 = new Range(128, 32_768, false);
    private static final Range FLASH_25 = new Range(1, 24_576, true);
    private static final Range FLASH_LITE_25 = new Range(512, 24_576, true);
    private static final Range ANY = new Range(1, Integer.MAX_VALUE, true);

    private GeminiThinking() {}

    /** A model's accepted {@code thinkingBudget}: {@code min} to {@code max} tokens, and 0 if it can turn off. */
    private record Range(int min, int max, boolean canTurnOff) {}

    /**
     * Builds the {@code thinkingConfig} for a model.
     *
     * @param json makes the node
     * @param model the Gemini model id, with or without {@code models/}
     * @param reasoning the caller's setting
     * @return the {@code thinkingConfig}, or empty when nothing is to be sent (no reasoning on a model that never
     *     thinks)
     * @throws IllegalArgumentException if the model cannot honour the setting (no reasoning on a model that always
     *     thinks, any reasoning on a model that never does)
     */
    static Optional<ObjectNode> config(ObjectMapper json, String model, Reasoning reasoning) {
        String id = GeminiResponseMapper.stripModelsPrefix(model).toLowerCase(Locale.ROOT);
        Matcher m = VERSIONED.matcher(id);
        if (!m.matches()) {
            // an alias or an unversioned id: every thinking model takes a budget, Gemini 3 for backward compatibility
            return Optional.of(budget(json, id, reasoning, ANY));
        }
        int major = Integer.parseInt(m.group(1));
        int minor = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        String variant = m.group(3);
        if (major >= 3) {
            ObjectNode config = json.createObjectNode();
            config.put("thinkingLevel", level(reasoning, levels(major, minor, variant)).wireName());
            return Optional.of(config);
        }
        if (major < 2 || minor == 0) {
            if (reasoning.isOff()) {
                return Optional.empty(); // it never thinks, and a thinkingConfig would be rejected
            }
            throw new UnsupportedRequestException("reasoning_effort", id + " does not think, so it cannot take "
                    + "reasoning " + describe(reasoning));
        }
        Range range = ANY;
        if (major == 2 && minor == 5) {
            if (variant.startsWith("pro")) {
                range = PRO_25;
            } else if (variant.startsWith("flash-lite")) {
                range = FLASH_LITE_25;
            } else if (variant.startsWith("flash")) {
                range = FLASH_25;
            }
        }
        return Optional.of(budget(json, id, reasoning, range));
    }

    /**
     * The thinking levels a Gemini 3 or later model accepts, lowest first.
     *
     * @param major the major version (3 for {@code gemini-3.1-pro})
     * @param minor the minor version (1 for {@code gemini-3.1-pro}, 0 when absent)
     * @param variant what follows the version ({@code pro-preview}, {@code flash-lite})
     * @return the levels
     */
    static List<ReasoningEffort> levels(int major, int minor, String variant) {
        if (variant.startsWith("pro")) {
            return major == 3 && minor == 0 ? List.of(ReasoningEffort.LOW, ReasoningEffort.HIGH)
                    : List.of(ReasoningEffort.LOW, ReasoningEffort.MEDIUM, ReasoningEffort.HIGH);
        }
        if (variant.startsWith("flash") && !variant.startsWith("flash-lite") && (major > 3 || minor >= 7)) {
            return List.of(ReasoningEffort.LOW, ReasoningEffort.MEDIUM, ReasoningEffort.HIGH);
        }
        return List.of(ReasoningEffort.MINIMAL, ReasoningEffort.LOW, ReasoningEffort.MEDIUM, ReasoningEffort.HIGH);
    }

    private static ReasoningEffort level(Reasoning reasoning, List<ReasoningEffort> levels) {
        if (reasoning.isOff()) {
            return levels.getFirst(); // Gemini 3 cannot turn thinking off
        }
        double wanted = Math.log(Reasoning.budgetFor(reasoning.effortOrNearest()));
        ReasoningEffort best = levels.getFirst();
        double bestDistance = Double.MAX_VALUE;
        for (ReasoningEffort level : levels) {
            double distance = Math.abs(Math.log(Reasoning.budgetFor(level)) - wanted);
            if (distance < bestDistance) { // strict: on a tie the cheaper level wins
                best = level;
                bestDistance = distance;
            }
        }
        return best;
    }

    private static ObjectNode budget(ObjectMapper json, String id, Reasoning reasoning, Range range) {
        int budget;
        if (reasoning.isOff()) {
            if (!range.canTurnOff()) {
                throw new UnsupportedRequestException("reasoning_effort", id + " cannot turn thinking off (its "
                        + "thinking budget is " + range.min() + " to " + range.max() + " tokens), asked for reasoning "
                        + describe(reasoning));
            }
            budget = 0;
        } else {
            budget = Math.clamp(reasoning.budgetOrNearest(), range.min(), range.max());
        }
        ObjectNode config = json.createObjectNode();
        config.put("thinkingBudget", budget);
        return config;
    }

    private static String describe(Reasoning reasoning) {
        return reasoning.effort().map(e -> "effort " + e.wireName())
                .orElseGet(() -> "budget " + reasoning.budgetTokens().orElseThrow() + " tokens");
    }
}
