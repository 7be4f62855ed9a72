package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OpenAI's {@code x-ratelimit-*} headers for a virtual key's rpm and tpm, so clients can pace themselves. */
class KeyRateLimitHeadersEndToEndTest {
    private static final String MASTER = "sk-master-rates";
    private static final String ADMIN = "Bearer " + MASTER;
    /** 12 characters of content: the gateway estimates 3 input tokens, plus max_tokens 100. */
    private static final String BODY = "{\"model\":\"m\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"%s\"}]}";

    private static TestGateway gateway() {
        return new TestGateway("""
                master_key: ${MASTER}
                models: [{name: m, provider: sim, model: gpt-4o-mini}]
                """, Map.of("MASTER", MASTER));
    }

    private static String key(TestGateway gw, String limits) {
        JsonNode created = TestGateway.json(gw.post("/v1/keys", "{" + limits + "}", "Authorization", ADMIN).body());
        return "Bearer " + created.get("key").asText();
    }

    @Test
    void givenKeyWithRpmAndTpm_whenRequestsArrive_thenEachAnswerSaysWhatIsLeftOfTheMinute() {
        try (TestGateway gw = gateway()) {
            String key = key(gw, "\"rpm\":3,\"tpm\":10000");

            HttpResponse<String> first = gw.post("/v1/chat/completions", BODY.formatted("question one"),
                    "Authorization", key);
            HttpResponse<String> second = gw.post("/v1/chat/completions", BODY.formatted("question two"),
                    "Authorization", key);

            assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
            assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("2");
            assertThat(second.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("1");
            assertThat(first.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("10000");
            long afterFirst = Long.parseLong(first.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
            long afterSecond = Long.parseLong(second.headers().firstValue("x-ratelimit-remaining-tokens")
                    .orElseThrow());
            assertThat(afterFirst).as("the estimate (input + max_tokens) is held").isBetween(9800L, 9900L);
            long firstUsed = TestGateway.json(first.body()).at("/usage/total_tokens").asLong();
            // Both prompts have the same estimate; by the second, the first counts what it used, not its estimate.
            assertThat(afterSecond).isEqualTo(afterFirst - firstUsed);
        }
    }

    @Test
    void givenKeyWithRpmOnly_whenStreaming_thenTheRequestHeadersComeWithTheStreamAndNoTokenHeaders() {
        try (TestGateway gw = gateway()) {
            String key = key(gw, "\"rpm\":5");

            HttpResponse<String> streamed = gw.post("/v1/chat/completions", "{\"model\":\"m\",\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", key);

            assertThat(streamed.statusCode()).isEqualTo(200);
            assertThat(streamed.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("4");
            assertThat(streamed.headers().firstValue("x-ratelimit-limit-tokens")).isEmpty();
        }
    }

    @Test
    void givenKeyOverItsRpm_whenRefused_thenThe429SaysNothingIsLeftAndWhenToRetry() {
        try (TestGateway gw = gateway()) {
            String key = key(gw, "\"rpm\":1,\"tpm\":10000");
            gw.post("/v1/chat/completions", BODY.formatted("question one"), "Authorization", key);

            HttpResponse<String> refused = gw.post("/v1/chat/completions", BODY.formatted("question two"),
                    "Authorization", key);

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("x-ratelimit-limit-requests")).hasValue("1");
            assertThat(refused.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
            assertThat(refused.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("10000");
            assertThat(refused.headers().firstValue("retry-after")).isPresent();
        }
    }

    @Test
    void givenNoLimits_whenAnswered_thenNoRateLimitHeaders() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> unlimitedKey = gw.post("/v1/chat/completions", BODY.formatted("hello"),
                    "Authorization", key(gw, "\"name\":\"free\""));
            HttpResponse<String> master = gw.post("/v1/chat/completions", BODY.formatted("hello"), "Authorization",
                    ADMIN);

            assertThat(unlimitedKey.headers().map().keySet()).noneMatch(h -> h.startsWith("x-ratelimit"));
            assertThat(master.headers().map().keySet()).noneMatch(h -> h.startsWith("x-ratelimit"));
        }
    }
}
