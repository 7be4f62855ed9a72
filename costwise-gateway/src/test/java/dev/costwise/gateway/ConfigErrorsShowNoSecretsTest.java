package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A config's problems, as {@code costwise config check} and {@code serve} print them, never show a value that came
 * from the environment (it may be a key, put where a name belongs) nor the user info of a URL.
 */
class ConfigErrorsShowNoSecretsTest {
    private static final String KEY = "sk-proj-REALKEYabc123";
    private static final String PASSWORD = "pg-Pa55w0rd-SECRET";

    private static ConfigException problemsOf(String yaml, Map<String, String> env) {
        return (ConfigException) assertThatThrownBy(() -> new ConfigLoader(env::get).parse(yaml, "c.yaml"))
                .isInstanceOf(ConfigException.class).actual();
    }

    @Test
    void givenTheKeysValueWhereItsVariablesNameBelongs_whenLoaded_thenTheKeyIsNotShownAndTheFixIsNamed() {
        ConfigException e = problemsOf("""
                models:
                  - name: gpt-4o-mini
                    provider: openai
                    api_key_env: ${OPENAI_API_KEY}
                  - name: claude
                    provider: anthropic
                    model: claude-3-5-haiku-latest
                    api_key_env: sk-ant-api03-written-in-the-file
                """, Map.of("OPENAI_API_KEY", KEY));

        assertThat(e.problems()).containsExactly(
                "models[0].api_key_env: api_key_env takes the NAME of an environment variable (e.g. "
                        + "OPENAI_API_KEY), not the key; write api_key_env: OPENAI_API_KEY (the name, without ${})",
                "models[1].api_key_env: api_key_env takes the NAME of an environment variable (e.g. "
                        + "ANTHROPIC_API_KEY), not the key");
        assertThat(e.getMessage()).doesNotContain(KEY, "sk-ant");
    }

    @Test
    void givenAUrlWithAPasswordAndNoScheme_whenLoaded_thenNeitherTheValueFromTheEnvironmentNorThePasswordIsShown() {
        ConfigException e = problemsOf("""
                models:
                  - {name: a, provider: openai, base_url: "${PROXY_URL}", price: {input: "1", output: "1"}}
                  - name: b
                    provider: openai
                    base_url: "proxyuser:%s@proxy:8080/v1"
                    price: {input: "1", output: "1"}
                """.formatted(PASSWORD), Map.of("PROXY_URL", "proxyuser:" + PASSWORD + "@proxy:8080/v1",
                "OPENAI_API_KEY", "sk-x"));

        assertThat(e.problems()).containsExactly(
                "models[0].base_url: expected an http(s) URL, was the value of ${PROXY_URL}",
                "models[1].base_url: expected an http(s) URL, was 'proxy:8080/v1'");
        assertThat(e.getMessage()).doesNotContain(PASSWORD, "proxyuser");
    }

    @Test
    void givenSecretsFromTheEnvironmentInFieldsThatRefuseThem_whenLoaded_thenEachProblemNamesTheVariableInstead() {
        ConfigException e = problemsOf("""
                server: {port: "${PORT}"}
                ledger: {url: "${DATABASE_URL}"}
                models: [{name: m, provider: sim}]
                keys:
                  - {id: k, key_sha256: %s, budget: "${KEY_BUDGET}"}
                redis: {url: "${REDIS_URL}"}
                """.formatted(ConfigLoader.sha256Hex("sk-k")), Map.of("PORT", "0", "DATABASE_URL",
                "dbuser:" + PASSWORD + "@db:5432/costwise", "KEY_BUDGET", KEY, "REDIS_URL", KEY + "@cache"));

        assertThat(e.problems()).containsExactly(
                "ledger.url: expected a jdbc:sqlite: or jdbc:postgresql: URL, was the value of ${DATABASE_URL}",
                "keys[0].budget: expected a dollar amount such as \"2.50\", was the value of ${KEY_BUDGET}",
                "redis.url: expected redis://host:port or rediss://host:port, was the value of ${REDIS_URL}");
        assertThat(e.getMessage()).doesNotContain(PASSWORD, KEY, "dbuser");
    }

    @Test
    void givenAShortValueFromTheEnvironment_whenItsFieldRefusesIt_thenOnlyThatValueIsHiddenNotTheSameDigitsElsewhere() {
        ConfigException e = problemsOf("""
                server: {port: "${PORT}"}
                models: [{name: m, provider: sim}]
                defaults: {retry: {max_retries: 70000}}
                """, Map.of("PORT", "70000"));

        assertThat(e.problems()).isEqualTo(List.of(
                "server.port: must be in [0, 65535], was the value of ${PORT}",
                "defaults.retry.max_retries: must be in [0, 10], was 70000"));
    }
}
