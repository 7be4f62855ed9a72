package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Config files that parse but say two things at once, or that would echo a secret: each is refused with its path, as
 * {@code costwise config check} and {@code serve} report it.
 */
class ConfigContradictionsTest {
    private static AbstractThrowableAssert<?, ? extends Throwable> loading(String yaml) {
        return assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "c.yaml"))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void givenAKeyWrittenTwice_whenLoaded_thenRefusedWithItsPathInsteadOfDroppingTheFirst() {
        loading("""
                models: [{name: m, provider: sim}, {name: n, provider: sim}]
                pipelines:
                  m:
                    fallbacks: [n]
                  m:
                    timeout: 5s
                """).satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                "pipelines.m: is written twice; the second would silently replace the first (line 5)"));
        loading("""
                server: {port: 8080}
                keys:
                  - {id: k, key_sha256: %s, rpm: 1, rpm: 2}
                models: [{name: m, provider: sim}]
                """.formatted(ConfigLoader.sha256Hex("sk-k")))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement().asString()
                        .startsWith("keys[0].rpm: is written twice"));
    }

    @Test
    void givenSeveralKeysWrittenTwice_whenLoaded_thenEveryOneIsReportedWithItsLine() {
        loading("""
                models: [{name: gpt-4o-mini, provider: sim}]
                aliases:
                  cheap: gpt-4o-mini
                aliases:
                  smart: gpt-4o-mini
                pipelines:
                  auto:
                    default_route: gpt-4o-mini
                    default_route: smart
                """).satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                "aliases: is written twice; the second would silently replace the first (line 4)",
                "pipelines.auto.default_route: is written twice; the second would silently replace the first "
                        + "(line 9)"));
    }

    @Test
    void givenATabIndent_whenLoaded_thenOneLineNamesTheLineAndColumnOfTheTab() {
        loading("models:\n  - {name: gpt-4o-mini, provider: sim}\naliases:\n\tcheap: gpt-4o-mini\n")
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "not valid YAML: found character '\\t(TAB)' that cannot start any token. (Do not use "
                                + "\\t(TAB) for indentation) (line 4, column 1)"));
    }

    @Test
    void givenAFileSavedAsLatin1_whenLoaded_thenTheProblemNamesTheLineAndByteOfTheFirstNonUtf8Byte(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("costwise.yaml");
        Files.write(file, "# caf\u00e9 pipeline\nmodels:\n  - {name: gpt-4o-mini, provider: sim}\n"
                .getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get).load(file))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly("cannot read the file: "
                        + "not valid UTF-8 at line 1, byte offset 5 (0xe9): save the file as UTF-8"));
    }

    @Test
    void givenAKeyIdWithALineBreak_whenLoaded_thenRefusedAsItWouldForgeLogLines() {
        loading("""
                models: [{name: m, provider: sim}]
                keys:
                  - {id: "team\\nFORGED", key_sha256: %s}
                """.formatted(ConfigLoader.sha256Hex("sk-k")))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "keys[0].id: must not contain control characters, was \"team\\nFORGED\""));
    }

    @Test
    void givenTwoKeysWithOneSecret_whenLoaded_thenTheSecondIsRefused() {
        loading("""
                models: [{name: m, provider: sim}]
                keys:
                  - {id: k1, key_sha256: %s}
                  - {id: k2, key_sha256: %s}
                """.formatted(ConfigLoader.sha256Hex("sk-same"), ConfigLoader.sha256Hex("sk-same").toUpperCase()))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "keys[1].key_sha256: the same key as keys[0]: each virtual key needs its own secret"));
    }

    @Test
    void givenKeysWithTheIdsOfTheMasterKeyAndOfNoKey_whenLoaded_thenBothAreRefusedWithTheirPaths() {
        loading("""
                models: [{name: m, provider: sim}]
                keys:
                  - {id: master, key_sha256: %s}
                  - {id: anonymous, key_sha256: %s}
                  - {id: Master, key_sha256: %s}
                """.formatted("a".repeat(64), "b".repeat(64), "c".repeat(64)))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "keys[0].id: 'master' is reserved for the gateway's own callers (master: the master key, "
                                + "anonymous: no key), whose spend rows and stored responses a key with it would "
                                + "share; choose another id",
                        "keys[1].id: 'anonymous' is reserved for the gateway's own callers (master: the master key, "
                                + "anonymous: no key), whose spend rows and stored responses a key with it would "
                                + "share; choose another id"));
    }

    @Test
    void givenABaseUrlWithCredentialsAndABadRedisPort_whenLoaded_thenNeitherSecretIsEchoedAndThePortIsNamed() {
        loading("""
                models:
                  - name: m
                    provider: openai-compatible
                    model: m
                    base_url: ftp://user:sk-secret-in-url@proxy.example/v1?api-key=sk-query-secret
                    price: {input: "1", output: "2"}
                redis: {url: "redis://:redis-password@localhost:notaport"}
                """).satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "models[0].base_url: expected an http(s) URL, was 'ftp://proxy.example/v1'",
                        "redis.url: has a bad port 'notaport' (expected a number from 1 to 65535), was "
                                + "'redis://***@localhost:notaport'"))
                .message().doesNotContain("sk-secret", "sk-query", "redis-password");
    }

    @Test
    void givenADowngradeTargetOnARejectingBudgetAndAPipelineFallingBackToItself_whenLoaded_thenBothAreReported() {
        loading("""
                models: [{name: m, provider: sim}, {name: free, provider: sim}]
                aliases: {em: m}
                pipelines:
                  m: {fallbacks: [free, m]}
                  em: {fallbacks: [m]}
                budgets:
                  - {name: daily, limit: "1", on_exhausted: reject, downgrade_to: free}
                """).satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                "pipelines.m.fallbacks[1]: 'm' is the pipeline's own model: a fallback must be another model",
                "pipelines.em.fallbacks[0]: 'm' is the pipeline's own model: a fallback must be another model",
                "budgets[0].downgrade_to: is used only with on_exhausted: downgrade; this budget has on_exhausted:"
                        + " reject and would never downgrade"));
    }
}
