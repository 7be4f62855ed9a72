package dev.costwise.gateway.config;

import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.pipeline.ModelDirectory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Warns of context-window settings that load but cannot do what they are for: {@code costwise config check} prints
 * the warnings and the gateway logs them at start. They are warnings, not errors: the config still works for the
 * requests they do not concern.
 *
 * <ul>
 *   <li>a pipeline's {@code context_window_fallback} whose window is no larger than a model it stands in for: a
 *       prompt too long for that model is too long for the fallback too;</li>
 *   <li>a model whose {@code context_window} is below its output limit ({@code max_output_tokens}, else the
 *       catalog's), which the gateway sends as {@code max_tokens} for a request that sets none, and which its
 *       budgets reserve: a provider that counts prompt plus {@code max_tokens} against its window (vLLM, OpenAI)
 *       refuses such requests. The gateway sends the limit the budget reserved, so it does not lower it itself.</li>
 * </ul>
 */
public final class ContextWindowWarnings {

    private ContextWindowWarnings() {}

    /**
     * @param config the configuration
     * @return one line per problem, its path first, in config order; empty when there is none
     */
    public static List<String> warnings(GatewayConfig config) {
        Objects.requireNonNull(config, "config");
        List<String> out = new ArrayList<>();
        for (Model m : config.models()) {
            if (m.maxOutputTokens() > m.contextWindow()) {
                out.add("models." + m.name() + ": context_window (" + m.contextWindow() + ") is below its output "
                        + "limit (" + m.maxOutputTokens() + " tokens), which the gateway sends as max_tokens for a "
                        + "request that sets none, and which its budgets reserve: a provider that counts prompt "
                        + "plus max_tokens against the window refuses such requests; set max_output_tokens below "
                        + "context_window");
            }
        }
        ModelDirectory directory = new ModelDirectory(config);
        config.pipelines().forEach((name, p) -> {
            // a workflow's calls are not sent to the context_window_fallback
            if (p.workflow() || p.contextWindowFallback().isEmpty()) {
                return;
            }
            List<Model> larger = directory.expand(p.contextWindowFallback().get());
            int widest = larger.stream().mapToInt(Model::contextWindow).max().orElse(Integer.MAX_VALUE);
            for (Model m : directory.reachable(name)) { // the models it may stand in for, and its own
                if (!larger.contains(m) && widest <= m.contextWindow()) {
                    out.add("pipelines." + name + ".context_window_fallback: " + p.contextWindowFallback().get()
                            + "'s context window (" + widest + " tokens) is not larger than " + m.name() + "'s ("
                            + m.contextWindow() + "), which it stands in for: a prompt too long for " + m.name()
                            + " is too long for it too");
                }
            }
        });
        return out;
    }
}
