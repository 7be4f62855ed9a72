package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** {@code scope: user}: each end user the body's {@code user} field names has a budget window of its own. */
class UserBudgetsEndToEndTest {
    private static final String MASTER = "sk-master-users";
    private static final String ADMIN = "Bearer " + MASTER;

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private TestGateway gateway() {
        // Each call answers 5 + 1000 tokens at $10 per 1M: $0.01005; a second one would pass $0.015.
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return OpenAiFake.completion("gpt-4o", "answer", 5, 1000);
            }
        });
        return new TestGateway("""
                master_key: ${MASTER}
                models:
                  - {name: m, provider: openai, api_key: sk-up, base_url: %s, price: {input: "10", output: "10"}}
                budgets:
                  - {name: per-user, scope: user, window: day, limit: "0.015"}
                """.formatted(upstream.url("/v1").toString().replaceAll("/$", "")), Map.of("MASTER", MASTER));
    }

    private static HttpResponse<String> chat(TestGateway gw, String user) {
        String who = user == null ? "" : "\"user\":\"" + user + "\",";
        // no-cache: a cache hit costs nothing and reserves nothing
        return gw.post("/v1/chat/completions", "{\"model\":\"m\"," + who + "\"max_tokens\":1000,\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", ADMIN, "Cache-Control", "no-cache");
    }

    @Test
    void givenAUserBudget_whenOneUserSpendsIt_thenOnlyThatUserIsRefused() {
        try (TestGateway gw = gateway()) {
            assertThat(chat(gw, "alice").statusCode()).isEqualTo(200);

            HttpResponse<String> again = chat(gw, "alice");

            assertThat(again.statusCode()).isEqualTo(429);
            JsonNode error = TestGateway.json(again.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("budget_exceeded");
            assertThat(error.get("budget").asText()).isEqualTo("per-user");
            assertThat(chat(gw, "bob").statusCode()).as("bob has his own window").isEqualTo(200);
            assertThat(chat(gw, null).statusCode()).as("a request naming no user is not held").isEqualTo(200);
            assertThat(chat(gw, null).statusCode()).isEqualTo(200);
            assertThat(chat(gw, "").statusCode()).as("an empty user names no one: not held").isEqualTo(200);
            assertThat(chat(gw, "").statusCode()).isEqualTo(200);
            assertThat(upstream.getRequestCount()).isEqualTo(6);
        }
    }

    @Test
    void givenManyBudgetWindows_whenFilteredByScopeAndValue_thenOnlyThoseAreListedAndBadFiltersAre400s() {
        try (TestGateway gw = gateway()) {
            chat(gw, "alice");
            chat(gw, "bob");

            JsonNode all = TestGateway.json(gw.get("/v1/budgets?scope=user", "Authorization", ADMIN).body());
            JsonNode alice = TestGateway.json(gw.get("/v1/budgets?scope=user&scope_value=alice", "Authorization",
                    ADMIN).body());
            JsonNode global = TestGateway.json(gw.get("/v1/budgets?scope=global", "Authorization", ADMIN).body());

            assertThat(all.get("data").findValuesAsText("scope_value")).containsExactlyInAnyOrder("alice", "bob");
            assertThat(alice.get("data")).singleElement().satisfies(b -> {
                assertThat(b.get("scope").asText()).isEqualTo("user");
                assertThat(b.get("scope_value").asText()).isEqualTo("alice");
                assertThat(b.get("spent").asText()).isNotEqualTo("0");
            });
            assertThat(global.get("data")).isEmpty();
            assertParam(gw.get("/v1/budgets?scope=users", "Authorization", ADMIN), "scope");
            assertParam(gw.get("/v1/budgets?user=alice", "Authorization", ADMIN), "user");
        }
    }

    @Test
    void givenAUserThatIsNotAPlainString_whenSent_then400NamingUserAndNothingIsCalled() {
        try (TestGateway gw = gateway()) {
            for (String user : new String[] {"5", "\"a\\u0000b\"", "\"" + "u".repeat(257) + "\""}) {
                HttpResponse<String> res = gw.post("/v1/chat/completions", "{\"model\":\"m\",\"user\":" + user
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "Authorization", ADMIN);
                assertParam(res, "user");
            }
            assertParam(gw.post("/v1/embeddings", "{\"model\":\"m\",\"input\":\"x\",\"user\":[1]}", "Authorization",
                    ADMIN), "user");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    private static void assertParam(HttpResponse<String> res, String param) {
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(TestGateway.json(res.body()).at("/error/param").asText()).isEqualTo(param);
    }
}
