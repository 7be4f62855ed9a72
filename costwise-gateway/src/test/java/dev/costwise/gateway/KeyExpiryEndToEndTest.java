package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Virtual keys that expire: {@code expires_at} / {@code expires_in} on creation, refused once the time has come. */
class KeyExpiryEndToEndTest {
    private static final String MASTER = "sk-master-expiry";
    private final HttpClient client = HttpClient.newHttpClient();
    private final MovableClock now = new MovableClock(Instant.parse("2026-11-28T10:00:00Z"));

    @TempDir
    Path dir;

    @Test
    void givenKeyThatExpiresInAnHour_whenTheHourHasPassed_thenRefusedWithTheExpiryEvenAfterARestart()
            throws Exception {
        String id;
        String secret;
        try (Gateway gateway = start()) {
            HttpResponse<String> created = send(gateway, "POST", "/v1/keys",
                    "{\"name\":\"hackathon\",\"expires_in\":\"1h\",\"budget\":\"5.00\"}", MASTER);
            assertThat(created.statusCode()).isEqualTo(201);
            JsonNode key = TestGateway.json(created.body());
            assertThat(key.get("expires_at").asText()).isEqualTo("2026-11-28T11:00:00Z");
            id = key.get("id").asText();
            secret = key.get("key").asText();

            now.set(Instant.parse("2026-11-28T10:59:59Z"));
            assertThat(chat(gateway, secret).statusCode()).isEqualTo(200);
            assertThat(send(gateway, "GET", "/v1/budgets", null, MASTER).body()).contains(id);
        }
        now.set(Instant.parse("2026-11-28T11:00:00Z"));
        try (Gateway restarted = start()) {
            HttpResponse<String> refused = chat(restarted, secret);

            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(TestGateway.json(refused.body()).at("/error/message").asText())
                    .contains("expired at 2026-11-28T11:00:00Z").contains(id).doesNotContain(secret);
            JsonNode listed = TestGateway.json(send(restarted, "GET", "/v1/keys", null, MASTER).body());
            assertThat(listed.at("/data/0/expires_at").asText()).isEqualTo("2026-11-28T11:00:00Z");
            assertThat(send(restarted, "GET", "/v1/budgets", null, MASTER).body())
                    .as("an expired key's budget is no longer listed").doesNotContain(id);
        }
    }

    @Test
    void givenExpiresAtWithAnOffset_whenCreated_thenStoredInUtc() throws Exception {
        try (Gateway gateway = start()) {
            HttpResponse<String> created = send(gateway, "POST", "/v1/keys",
                    "{\"expires_at\":\"2026-12-31T23:59:59+01:00\"}", MASTER);

            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(TestGateway.json(created.body()).get("expires_at").asText())
                    .isEqualTo("2026-12-31T22:59:59Z");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"expires_at\":\"2026-11-28T09:00:00Z\"}                   | expires_at | is not in the future",
        "{\"expires_at\":\"2026-12-01T00:00:00\"}                    | expires_at | a time with its offset",
        "{\"expires_at\":\"next week\"}                              | expires_at | a time with its offset",
        "{\"expires_in\":\"soon\"}                                   | expires_in | a duration such as",
        "{\"expires_in\":\"0s\"}                                     | expires_in | must be positive",
        "{\"expires_in\":\"0d\"}                                     | expires_in | must be positive",
        "{\"expires_in\":30}                                         | expires_in | a duration such as",
        "{\"expires_in\":\"1h\",\"expires_at\":\"2027-01-01T00:00:00Z\"} | expires_in | not both",
        "{\"expires_in\":\"99999999d\"}                              | expires_in | at most 100 years",
        "{\"expires_in\":\"36526d\"}                                 | expires_in | at most 100 years",
        "{\"expires_in\":\"99999999999999999999d\"}                  | expires_in | at most 100 years",
        "{\"expires_at\":\"2126-12-01T00:00:00Z\"}                   | expires_at | at most 100 years"})
    void givenBadExpiry_whenCreatingAKey_then400NamesTheField(String body, String field, String message)
            throws Exception {
        try (Gateway gateway = start()) {
            HttpResponse<String> res = send(gateway, "POST", "/v1/keys", body, MASTER);

            assertThat(res.statusCode()).isEqualTo(400);
            JsonNode error = TestGateway.json(res.body()).get("error");
            assertThat(error.get("param").asText()).isEqualTo(field);
            assertThat(error.get("message").asText()).contains(message);
            assertThat(send(gateway, "GET", "/v1/keys", null, MASTER).body()).as("no key was created")
                    .contains("\"data\":[]");
        }
    }

    private Gateway start() {
        GatewayConfig config = new ConfigLoader(Map.of("MASTER", MASTER)::get).parse("""
                server: {host: 127.0.0.1, port: 0}
                master_key: ${MASTER}
                ledger: {url: "jdbc:sqlite:%s"}
                models: [{name: m, provider: sim}]
                budgets:
                  - {name: per-key, scope: key, window: day, limit: "1.00", on_exhausted: reject}
                """.formatted(dir.resolve("keys.db")), "expiry.yaml");
        return Gateway.builder(config).clock(now).sleeper(d -> { }).build().start();
    }

    private HttpResponse<String> chat(Gateway gateway, String key) throws Exception {
        return send(gateway, "POST", "/v1/chat/completions", TestGateway.chat("m", "hello"), key);
    }

    private HttpResponse<String> send(Gateway gateway, String method, String path, String body, String key)
            throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return client.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }
}
