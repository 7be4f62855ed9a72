package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.ContextWindowWarnings;
import dev.costwise.gateway.config.GatewayConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Context-window settings that load but cannot do what they are for are warned of by the config check (and in the
 * gateway's start log): a {@code context_window_fallback} no larger than a model it stands in for, and a model whose
 * window is below the output limit the gateway sends for a request without {@code max_tokens}.
 */
class ContextWindowWarningsTest {

    private static GatewayConfig load(String yaml) {
        return new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "c.yaml");
    }

    @Test
    void givenAContextWindowFallbackSmallerThanThePrimary_whenChecked_thenItIsWarnedOf() {
        GatewayConfig config = load("""
                models:
                  - {name: gpt-4o-mini, provider: sim}
                  - {name: gpt-4o, provider: sim, context_window: 1000, max_output_tokens: 500}
                  - {name: gpt-4.1, provider: sim}
                pipelines:
                  auto:
                    routes:
                      - {name: r1, model: gpt-4o-mini, when: {max_chars: 100}}
                    default_route: gpt-4o-mini
                    context_window_fallback: gpt-4o
                  wide:
                    default_route: gpt-4o-mini
                    context_window_fallback: gpt-4.1
                """);

        assertThat(ContextWindowWarnings.warnings(config)).containsExactly("pipelines.auto.context_window_fallback: "
                + "gpt-4o's context window (1000 tokens) is not larger than gpt-4o-mini's (128000), which it stands "
                + "in for: a prompt too long for gpt-4o-mini is too long for it too");
    }

    @Test
    void givenAModelWindowBelowItsOutputLimit_whenChecked_thenItIsWarnedOf() {
        GatewayConfig config = load("""
                models:
                  - {name: gpt-4o-mini, provider: sim, context_window: 2000}
                  - {name: small, provider: sim, model: gpt-4o-mini, context_window: 4096, max_output_tokens: 1024}
                """);

        assertThat(ContextWindowWarnings.warnings(config)).containsExactly("models.gpt-4o-mini: context_window (2000)"
                + " is below its output limit (16384 tokens), which the gateway sends as max_tokens for a request "
                + "that sets none, and which its budgets reserve: a provider that counts prompt plus max_tokens "
                + "against the window refuses such requests; set max_output_tokens below context_window");
    }
}
