package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Durations in a config: one that bounds something cannot be 0, and each is shown as the file writes it. */
class DurationsConfigTest {
    private static List<String> problemsOf(String yaml) {
        return ((ConfigException) assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get)
                .parse(yaml, "c.yaml")).isInstanceOf(ConfigException.class).actual()).problems();
    }

    @Test
    void givenZeroTimeouts_whenLoaded_thenEachIsRefusedWithItsPathInsteadOfEveryRequestTimingOut() {
        assertThat(problemsOf("""
                server: {request_timeout: 0s}
                models: [{name: m, provider: sim, first_token_timeout: 0ms}]
                defaults: {timeout: 0m}
                pipelines:
                  m: {timeout: 0s}
                alerts:
                  - {name: spike, metric: spend, above: 5, window: 0h}
                """)).containsExactly(
                "server.request_timeout: must be positive (at 0 every request would time out before any model is "
                        + "called), was 0s",
                "models[0].first_token_timeout: must be positive (at 0 every stream would time out before its "
                        + "first token), was 0ms",
                "defaults.timeout: must be positive (at 0 every attempt would time out before the model answers), "
                        + "was 0m",
                "pipelines.m.timeout: must be positive (at 0 every attempt would time out before the model "
                        + "answers), was 0s",
                "alerts[0].window: must be positive (at 0 a rule over no time sees nothing), was 0h");
    }

    @Test
    void givenAStreamKeepAlive_whenLoaded_thenItIsTheServersAndZeroTurnsKeepAlivesOff() {
        ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);
        String models = "models: [{name: m, provider: sim}]\n";

        assertThat(loader.parse("server: {stream_keepalive: 20s}\n" + models, "c.yaml").server().streamKeepAlive())
                .isEqualTo(Duration.ofSeconds(20));
        assertThat(loader.parse("server: {stream_keepalive: 0s}\n" + models, "c.yaml").server().streamKeepAlive())
                .isZero();
        assertThat(loader.parse(models, "c.yaml").server().streamKeepAlive()).isEqualTo(Duration.ofSeconds(15));
        assertThat(problemsOf("server: {stream_keepalive: soon}\n" + models)).containsExactly(
                "server.stream_keepalive: expected a duration such as 250ms, 30s, 5m, 1h or 1d, was 'soon'");
    }

    @Test
    void givenAMaxDelayBelowTheInitialDelay_whenLoaded_thenBothAreShownAsTheFileWritesThem() {
        assertThat(problemsOf("""
                models: [{name: m, provider: sim}]
                pipelines:
                  m: {retry: {initial_delay: 5s, max_delay: 1500ms}}
                """)).containsExactly("pipelines.m.retry.max_delay: must be >= initial_delay (5s), was 1500ms");
    }
}
