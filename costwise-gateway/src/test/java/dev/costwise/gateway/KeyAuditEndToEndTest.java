package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import dev.costwise.gateway.keys.VirtualKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every change to a virtual key is logged on {@code costwise.audit}: what, which key, from where, which request. */
class KeyAuditEndToEndTest {
    private static final String MASTER = "sk-master-audit";
    private static final String ADMIN = "Bearer " + MASTER;
    /** A year on: the gateway runs on the real clock here, and refuses an expiry that has passed. */
    private static final Instant EXPIRES = Instant.now().plus(Duration.ofDays(365)).truncatedTo(ChronoUnit.SECONDS);

    @Test
    void givenKeyManagedThroughTheAdminApi_whenEachChangeIsMade_thenTheAuditLogNamesItWithoutTheSecret() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
        String created;
        String rotated;
        String id;
        try (TestGateway gw = new TestGateway("""
                master_key: ${MASTER}
                models: [{name: m, provider: sim}]
                """, Map.of("MASTER", MASTER))) {
            JsonNode key = TestGateway.json(gw.post("/v1/keys", "{\"name\":\"billing\",\"rpm\":3,"
                    + "\"expires_at\":\"" + EXPIRES + "\"}", "Authorization", ADMIN, "x-request-id", "req-audit-1")
                    .body());
            id = key.get("id").asText();
            created = key.get("key").asText();
            gw.patch("/v1/keys/" + id, "{\"rpm\":10,\"tpm\":5000}", "Authorization", ADMIN);
            rotated = TestGateway.json(gw.post("/v1/keys/" + id + "/rotate", "", "Authorization", ADMIN).body())
                    .get("key").asText();
            gw.delete("/v1/keys/" + id, "Authorization", ADMIN);
        } finally {
            System.setErr(original);
        }

        List<String> audit = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("costwise.audit")).toList();
        assertThat(audit).hasSize(4);
        assertThat(audit.get(0)).contains("virtual key " + id + " 'billing' created (rpm 3, expires "
                + EXPIRES + ") with the master key from 127.0.0.1 (request req-audit-1)");
        assertThat(audit.get(1)).contains("virtual key " + id + " 'billing' changed (rpm, tpm)");
        assertThat(audit.get(2)).contains("virtual key " + id + " 'billing' rotated");
        assertThat(audit.get(3)).contains("virtual key " + id + " 'billing' revoked");
        assertThat(audit).noneMatch(l -> l.contains(secretPart(created)) || l.contains(secretPart(rotated)));
    }

    @Test
    void givenControlCharactersInANameOrAnId_whenAKeyIsCreatedOrChanged_then400NamingTheField() {
        try (TestGateway gw = new TestGateway("""
                master_key: ${MASTER}
                models: [{name: m, provider: sim}]
                """, Map.of("MASTER", MASTER))) {
            String forged = "evil\\n00:00:00.000 INFO audit - virtual key ffffffffffff 'admin' revoked\\r"
                    + "\\u001b[31m";
            var created = gw.post("/v1/keys", "{\"name\":\"" + forged + "\"}", "Authorization", ADMIN);
            assertThat(created.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(created.body()).at("/error/param").asText()).isEqualTo("name");
            assertThat(TestGateway.json(created.body()).at("/error/message").asText())
                    .startsWith("name: must not contain control characters").contains("evil\\n00:00");
            String id = TestGateway.json(gw.post("/v1/keys", "{\"name\":\"fine\"}", "Authorization", ADMIN).body())
                    .get("id").asText();

            var patched = gw.patch("/v1/keys/" + id, "{\"name\":\"tab\\there\"}", "Authorization", ADMIN);
            var tagged = gw.patch("/v1/keys/" + id, "{\"tags\":{\"team\":\"a\\u001b[2J\"}}", "Authorization",
                    ADMIN);
            var badId = gw.delete("/v1/keys/" + id + "%0A", "Authorization", ADMIN);

            assertThat(patched.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(patched.body()).at("/error/param").asText()).isEqualTo("name");
            assertThat(tagged.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(tagged.body()).at("/error/param").asText()).isEqualTo("tags.team");
            assertThat(badId.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(badId.body()).at("/error/param").asText()).isEqualTo("id");
            assertThat(gw.keys.list()).singleElement().extracting(k -> k.name()).isEqualTo("fine");
        }
    }

    @Test
    void givenAKeyWhoseNameHasALineBreak_whenRevoked_thenTheAuditLineShowsItEscapedOnOneLine() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (TestGateway gw = new TestGateway("""
                master_key: ${MASTER}
                models: [{name: m, provider: sim}]
                """, Map.of("MASTER", MASTER))) {
            // a key named before names were checked, as a database may still hold one
            String id = gw.keys.create(new VirtualKey("", "old\nFORGED LINE\u001b[31m", List.of(), Optional.empty(),
                    BudgetWindow.MONTH, Optional.empty(), Optional.empty(), Map.of(), Instant.EPOCH, Optional.empty(),
                    false, Optional.empty())).key().id();

            assertThat(gw.delete("/v1/keys/" + id, "Authorization", ADMIN).statusCode()).isEqualTo(200);
        } finally {
            System.setErr(original);
        }

        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log.lines().filter(l -> l.contains("costwise.audit"))).singleElement().asString()
                .contains("'old\\nFORGED LINE\\u001b[31m' revoked");
        assertThat(log).doesNotContain("\u001b");
        assertThat(log.lines()).noneMatch(l -> l.startsWith("FORGED LINE"));
    }

    /** @return the secret half of a key ({@code sk-cw-<id>-<secret>}) */
    private static String secretPart(String key) {
        return key.substring(key.lastIndexOf('-') + 1);
    }
}
