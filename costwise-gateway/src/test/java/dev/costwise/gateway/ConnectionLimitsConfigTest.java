package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.config.GatewayConfig.Connections;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@code server.header_timeout}, {@code idle_timeout} and {@code max_connections}: read, checked, defaulted. */
class ConnectionLimitsConfigTest {
    private static GatewayConfig load(String yaml) {
        return new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "c.yaml");
    }

    private static List<String> problemsOf(String yaml) {
        return ((ConfigException) assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class)
                .actual()).problems();
    }

    @Test
    void givenTheSettings_whenLoaded_thenTheServerHasThem() {
        Connections c = load("""
                server: {header_timeout: 5s, idle_timeout: 2m, max_connections: 300}
                models: [{name: m, provider: sim}]
                """).server().connections();

        assertThat(c).isEqualTo(new Connections(Duration.ofSeconds(5), Duration.ofMinutes(2), OptionalInt.of(300)));
        assertThat(c.effectiveMaxConnections(OptionalLong.of(600))).as("the configured limit wins").isEqualTo(300);
    }

    @Test
    void givenNoSettings_whenLoaded_thenHeadersIn30sIdle75sAndConnectionsTheDescriptorsCanHold() {
        Connections c = load("models: [{name: m, provider: sim}]").server().connections();

        assertThat(c).isEqualTo(Connections.DEFAULT);
        assertThat(c.headerTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(75));
        assertThat(c.effectiveMaxConnections(OptionalLong.of(600))).as("(600 - 256) / 2").isEqualTo(172);
        assertThat(c.effectiveMaxConnections(OptionalLong.of(1_048_576))).isEqualTo(10_000);
        assertThat(c.effectiveMaxConnections(OptionalLong.of(100))).as("at least 16").isEqualTo(16);
        assertThat(c.effectiveMaxConnections(OptionalLong.empty())).isEqualTo(10_000);
    }

    @Test
    void givenZeroOrOutOfRangeValues_whenLoaded_thenEachIsRefusedWithItsPath() {
        assertThat(problemsOf("""
                server: {header_timeout: 0s, idle_timeout: 0ms, max_connections: 0}
                models: [{name: m, provider: sim}]
                """)).containsExactly(
                "server.header_timeout: must be positive (at 0 every connection would be closed before its request "
                        + "arrives), was 0s",
                "server.idle_timeout: must be positive (at 0 every connection would be closed after its first "
                        + "answer), was 0ms",
                "server.max_connections: must be in [1, 1000000], was 0");
    }
}
