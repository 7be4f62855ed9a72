package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
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

    /** @return the secret half of a key ({@code sk-cw-<id>-<secret>}) */
    private static String secretPart(String key) {
        return key.substring(key.lastIndexOf('-') + 1);
    }
}
