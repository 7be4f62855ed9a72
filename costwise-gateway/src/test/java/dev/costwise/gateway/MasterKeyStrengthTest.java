package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.keys.InMemoryVirtualKeyStore;
import dev.costwise.gateway.pipeline.MemorySpendLedger;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A master key shorter than 16 characters can be guessed: refused, with its path, once other machines can reach the
 * gateway (a test on loopback may keep a short one).
 */
class MasterKeyStrengthTest {
    private static GatewayConfig load(String yaml, Map<String, String> env) {
        return new ConfigLoader(env::get).parse(yaml, "c.yaml");
    }

    private static List<String> problemsOf(String yaml, Map<String, String> env) {
        return ((ConfigException) assertThatThrownBy(() -> load(yaml, env)).isInstanceOf(ConfigException.class)
                .actual()).problems();
    }

    @Test
    void givenAOneCharacterMasterKeyOnEveryInterface_whenChecked_thenRefusedWithItsPath() {
        assertThat(problemsOf("""
                server: {host: 0.0.0.0}
                master_key: "a"
                models: [{name: m, provider: sim}]
                """, Map.of())).containsExactly("master_key: must be at least 16 characters while server.host "
                + "(0.0.0.0) lets other machines reach the gateway, as a shorter one can be guessed; was 1");
        assertThat(problemsOf("""
                server: {host: 10.0.0.5}
                models: [{name: m, provider: sim}]
                """, Map.of("COSTWISE_MASTER_KEY", "short-key"))).singleElement().asString()
                .startsWith("COSTWISE_MASTER_KEY: must be at least 16 characters").endsWith("was 9")
                .doesNotContain("short-key");
    }

    @Test
    void givenAShortMasterKeyOnLoopbackOrALongOneAnywhere_whenChecked_thenLoaded() {
        for (String host : new String[] {"127.0.0.1", "localhost", "::1"}) {
            assertThat(load("server: {host: \"" + host + "\"}\nmaster_key: dev\nmodels: [{name: m, provider: sim}]",
                    Map.of()).masterKey()).hasValue("dev");
        }
        assertThat(load("server: {host: 0.0.0.0}\nmaster_key: mk-0123456789abcdef\nmodels: [{name: m, provider: "
                + "sim}]", Map.of()).masterKey()).hasValue("mk-0123456789abcdef");
    }

    @Test
    void givenAShortMasterKeyCheckedOnLoopback_whenServedOnEveryInterface_thenTheGatewayDoesNotStart() {
        GatewayConfig checked = load("master_key: dev\nmodels: [{name: m, provider: sim}]", Map.of());
        GatewayConfig everywhere = checked.withServer(checked.server().withAddress("0.0.0.0", 0)); // --host

        assertThatThrownBy(() -> Gateway.builder(everywhere).ledger(new MemorySpendLedger())
                .keys(new InMemoryVirtualKeyStore(Clock.systemUTC())).build().close())
                .isInstanceOf(GatewayStartException.class)
                .hasMessage("the master key: must be at least 16 characters while server.host (0.0.0.0) lets other "
                        + "machines reach the gateway, as a shorter one can be guessed; was 3");
    }
}
