package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import dev.costwise.gateway.keys.VirtualKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A gateway without a master key is open only while no live virtual key exists; a key presented is always checked,
 * and virtual keys are managed with the master key only.
 */
class OpenGatewayEndToEndTest {
    private static TestGateway open() {
        return new TestGateway("models: [{name: m, provider: sim, model: gpt-4o-mini}]", Map.of());
    }

    private static VirtualKey spec(String name) {
        return new VirtualKey("", name, List.of(), Optional.empty(), BudgetWindow.DAY, Optional.empty(),
                Optional.empty(), Map.of(), Instant.EPOCH, Optional.empty(), false, Optional.empty());
    }

    @Test
    void givenNoMasterKeyAndNoKeys_whenStarted_thenTheLogWarnsThatTheGatewayIsOpen() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
        try (TestGateway gw = open()) {
            assertThat(gw.gateway.port()).isPositive();
        } finally {
            System.setErr(original);
        }

        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("WARN")
                .contains("The gateway is OPEN: no master key (COSTWISE_MASTER_KEY) and no virtual keys");
    }

    @Test
    void givenNoMasterKeyAndNoKeys_whenCalledWithOrWithoutASdkPlaceholderKey_thenServedAnonymously() {
        try (TestGateway gw = open()) {
            assertThat(gw.post("/v1/chat/completions", TestGateway.chat("m", "hi")).statusCode()).isEqualTo(200);
            assertThat(gw.get("/v1/spend").statusCode()).as("reports stay open too").isEqualTo(200);
            assertThat(gw.post("/v1/chat/completions", TestGateway.chat("m", "hi"),
                    "Authorization", "Bearer sk-costwise-virtual-key-or-anything").statusCode()).isEqualTo(200);
            assertThat(gw.post("/v1/chat/completions", TestGateway.chat("m", "hi"), "x-api-key", "anything")
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void givenNoMasterKey_whenKeysAreManaged_then403SayingToSetTheMasterKey() {
        try (TestGateway gw = open()) {
            List<HttpResponse<String>> refused = List.of(gw.post("/v1/keys", "{\"name\":\"a\"}"), gw.get("/v1/keys"),
                    gw.patch("/v1/keys/x", "{\"rpm\":1}"), gw.post("/v1/keys/x/rotate", ""),
                    gw.delete("/v1/keys/x"));

            for (HttpResponse<String> res : refused) {
                assertThat(res.statusCode()).isEqualTo(403);
                assertThat(TestGateway.json(res.body()).at("/error/code").asText()).isEqualTo("master_key_required");
                assertThat(TestGateway.json(res.body()).at("/error/message").asText())
                        .contains("set COSTWISE_MASTER_KEY");
            }
            assertThat(gw.keys.list()).isEmpty();
        }
    }

    @Test
    void givenNoMasterKey_whenALiveKeyExists_thenEveryRequestNeedsAValidKeyUntilNoneIsLive() {
        try (TestGateway gw = open()) {
            // As a replica with the master key would create it in a shared database.
            var issued = gw.keys.create(spec("app"));
            String bearer = "Bearer " + issued.secret();

            HttpResponse<String> anonymous = gw.post("/v1/chat/completions", TestGateway.chat("m", "hi"));

            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.body()).contains("missing API key");
            assertThat(gw.post("/v1/chat/completions", TestGateway.chat("m", "hi"), "Authorization", bearer)
                    .statusCode()).isEqualTo(200);
            assertThat(gw.get("/v1/spend").statusCode()).isEqualTo(401);
            HttpResponse<String> asKey = gw.get("/v1/spend", "Authorization", bearer);
            assertThat(asKey.statusCode()).isEqualTo(403);
            assertThat(asKey.body()).contains("set COSTWISE_MASTER_KEY");

            HttpResponse<String> unknown = gw.post("/v1/chat/completions", TestGateway.chat("m", "hi"),
                    "Authorization", "Bearer sk-cw-nope-123");
            assertThat(unknown.statusCode()).isEqualTo(401);
            assertThat(unknown.body()).contains("unknown or revoked API key").doesNotContain("sk-cw-nope-123");

            gw.keys.revoke(issued.key().id());

            assertThat(gw.post("/v1/chat/completions", TestGateway.chat("m", "hi")).statusCode())
                    .as("no live key left: open again").isEqualTo(200);
        }
    }
}
