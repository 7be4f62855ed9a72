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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway replicas on one ledger database, as behind a load balancer: a virtual key created, rotated or revoked
 * through one replica's admin API holds on the other, and a Responses API answer stored by one (in the database, by
 * default) is continued on the other.
 */
class ReplicasOnOneDatabaseEndToEndTest {
    private static final String MASTER = "sk-master-shared";
    private final HttpClient client = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void givenTwoReplicas_whenKeysAreManagedThroughOne_thenTheOtherFollows() throws Exception {
        GatewayConfig config = sharedDatabase();
        CapturingScheduler bChores = new CapturingScheduler();
        try (Gateway a = Gateway.builder(config).sleeper(d -> { }).build().start();
                Gateway b = Gateway.builder(config).sleeper(d -> { }).maintenance(bChores).build().start()) {
            HttpResponse<String> created = send(a, "POST", "/v1/keys", "{\"name\":\"app\"}", MASTER);
            assertThat(created.statusCode()).isEqualTo(201);
            JsonNode key = TestGateway.json(created.body());
            String id = key.get("id").asText();

            assertThat(chat(b, key.get("key").asText())).as("created on a, used on b at once").isEqualTo(200);

            String rotated = TestGateway.json(send(a, "POST", "/v1/keys/" + id + "/rotate", "", MASTER).body())
                    .get("key").asText();
            assertThat(chat(b, rotated)).isEqualTo(200);
            assertThat(chat(b, key.get("key").asText())).as("the rotation reached b with the new secret")
                    .isEqualTo(401);

            CapturingScheduler.Scheduled refresh = bChores.every(Gateway.KEY_REFRESH);
            assertThat(send(a, "PATCH", "/v1/keys/" + id, "{\"rpm\":7}", MASTER).statusCode()).isEqualTo(200);
            refresh.chore().run(); // what b's maintenance thread does every five seconds
            assertThat(TestGateway.json(send(b, "GET", "/v1/key", null, rotated).body()).get("rpm").asInt())
                    .as("changed on a, in force on b after its refresh").isEqualTo(7);

            assertThat(send(a, "DELETE", "/v1/keys/" + id, "", MASTER).statusCode()).isEqualTo(200);
            refresh.chore().run();

            assertThat(chat(b, rotated)).as("revoked on a, refused on b after its refresh").isEqualTo(401);
            JsonNode listed = TestGateway.json(send(b, "GET", "/v1/keys", null, MASTER).body());
            assertThat(listed.toString()).contains("\"revoked\":true");
        }
        assertThat(bChores.isShutdown()).as("closing the gateway stops its chores").isTrue();
    }

    @Test
    void givenTwoReplicas_whenAResponseIsStoredThroughOne_thenTheOtherContinuesAndReadsIt() throws Exception {
        GatewayConfig config = sharedDatabase();
        try (Gateway a = Gateway.builder(config).sleeper(d -> { }).build().start();
                Gateway b = Gateway.builder(config).sleeper(d -> { }).build().start()) {
            String id = TestGateway.json(send(a, "POST", "/v1/responses", "{\"model\": \"m\", \"input\": \"hi\"}",
                    MASTER).body()).path("id").asText();

            HttpResponse<String> next = send(b, "POST", "/v1/responses", "{\"model\": \"m\", "
                    + "\"previous_response_id\": \"" + id + "\", \"input\": \"and then?\"}", MASTER);

            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            assertThat(TestGateway.json(next.body()).path("previous_response_id").asText()).isEqualTo(id);
            assertThat(send(b, "GET", "/v1/responses/" + id, null, MASTER).statusCode()).isEqualTo(200);
        }
    }

    /** Replicas of this config share one SQLite ledger database. */
    private GatewayConfig sharedDatabase() {
        return new ConfigLoader(Map.of("MASTER", MASTER)::get).parse("""
                server: {host: 127.0.0.1, port: 0}
                master_key: ${MASTER}
                ledger: {url: "jdbc:sqlite:%s"}
                models: [{name: m, provider: sim}]
                """.formatted(dir.resolve("shared.db")), "replicas.yaml");
    }

    private int chat(Gateway gateway, String key) throws Exception {
        return send(gateway, "POST", "/v1/chat/completions", TestGateway.chat("m", "hello"), key).statusCode();
    }

    private HttpResponse<String> send(Gateway gateway, String method, String path, String body, String key)
            throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return client.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }
}
