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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A virtual key's name is at most 200 characters on every ledger database: a longer one is refused with a 400 naming
 * {@code name}, on {@code POST /v1/keys} and {@code PATCH /v1/keys/{id}} alike, whether the keys live in SQLite (which
 * would store any length) or PostgreSQL (whose column holds 200). Characters are counted as the database counts them,
 * so 200 characters outside the Basic Multilingual Plane fit. PostgreSQL is skipped when unreachable, except under
 * {@code CI=true}.
 */
class KeyNameLengthEndToEndTest {
    private static final String MASTER = "sk-master-names";
    /** A character outside the Basic Multilingual Plane: two Java chars, one character to the database. */
    private static final String KEY = "\uD83D\uDD11";

    @TempDir
    Path dir;

    private final TestDatabases databases = new TestDatabases();
    private final HttpClient client = HttpClient.newHttpClient();

    @AfterEach
    void dropSchema() throws Exception {
        databases.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void givenANameOver200Characters_whenAKeyIsCreatedOrRenamed_thenA400NamesTheField(String database)
            throws Exception {
        GatewayConfig config = new ConfigLoader(Map.of("MASTER", MASTER)::get).parse("""
                server: {host: 127.0.0.1, port: 0}
                master_key: ${MASTER}
                ledger: {url: "%s"}
                models: [{name: m, provider: sim}]
                """.formatted(databases.url(database, dir, "names")), "names.yaml");
        try (Gateway gateway = Gateway.builder(config).build().start()) {
            HttpResponse<String> created = send(gateway, "POST", "/v1/keys", name(KEY.repeat(200)));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String id = TestGateway.json(created.body()).get("id").asText();

            HttpResponse<String> tooLong = send(gateway, "POST", "/v1/keys", name("n".repeat(201)));
            HttpResponse<String> renamed = send(gateway, "PATCH", "/v1/keys/" + id, name(KEY.repeat(201)));

            for (HttpResponse<String> refused : java.util.List.of(tooLong, renamed)) {
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
                JsonNode error = TestGateway.json(refused.body()).get("error");
                assertThat(error.get("param").asText()).isEqualTo("name");
                assertThat(error.get("message").asText()).isEqualTo("name: expected at most 200 characters, was 201");
            }
            assertThat(send(gateway, "PATCH", "/v1/keys/" + id, name("n".repeat(200))).statusCode()).isEqualTo(200);
        }
    }

    private static String name(String name) {
        return "{\"name\":\"" + name + "\"}";
    }

    private HttpResponse<String> send(Gateway gateway, String method, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("Authorization", "Bearer " + MASTER).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
