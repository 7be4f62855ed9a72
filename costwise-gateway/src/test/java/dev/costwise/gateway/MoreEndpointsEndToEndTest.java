package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.gateway.keys.JdbcVirtualKeyStore;
import dev.costwise.gateway.keys.VirtualKey;
import dev.costwise.gateway.keys.VirtualKeyStore;
import dev.costwise.gateway.config.GatewayConfig.BudgetWindow;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MoreEndpointsEndToEndTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private String base() {
        return upstream.url("/v1").toString().replaceAll("/$", "");
    }

    @Test
    void givenCatalogModelsWithoutLimitsInTheConfig_whenARequestSetsNoMaxTokens_thenTheModelsOwnLimitBoundsTheCall()
            throws Exception {
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
                        + "\"claude-haiku-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],"
                        + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}")
                .build());
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: long, provider: openai, model: gpt-4.1, base_url: %1$s, price: {input: "2", output: "8"}}
                  - {name: claude, provider: anthropic, model: claude-haiku-4-5, api_key: k, base_url: %1$s,
                     max_output_tokens: 2000}
                  - {name: custom, provider: openai, model: my-finetune, base_url: %1$s,
                     price: {input: "1", output: "2"}}
                """.formatted(base()))) {
            JsonNode plan = TestGateway.json(gw.post("/v1/route/explain", TestGateway.chat("long", "hi")).body());
            JsonNode unknown = TestGateway.json(gw.post("/v1/route/explain", TestGateway.chat("custom", "hi")).body());
            gw.post("/v1/chat/completions", TestGateway.chat("claude", "hi"));

            // gpt-4.1 may write 32,768 tokens: the reservation covers that, not a guess of 4,096
            assertThat(plan.get("max_output_tokens").asLong()).isEqualTo(32_768);
            assertThat(unknown.get("max_output_tokens").asLong()).isEqualTo(4_096); // not in the catalog
            // Anthropic needs max_tokens: the limit the reservation assumed, not the catalog's 64,000 for Haiku 4.5
            RecordedRequest sent = upstream.takeRequest(5, TimeUnit.SECONDS);
            assertThat(TestGateway.json(sent.getBody().utf8()).path("max_tokens").asInt()).isEqualTo(2_000);
        }
    }

    @Test
    void givenAutoPipeline_whenExplained_thenRouteModelAndEstimateWithoutCallingAnyModel() {
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: small, provider: openai, base_url: %1$s, price: {input: "1", output: "2"}}
                  - {name: big, provider: openai, base_url: %1$s, price: {input: "10", output: "20"}}
                pipelines:
                  auto:
                    routes:
                      - {name: premium, model: big, when: {complexity: complex}}
                    default_route: small
                    fallbacks: [small]
                """.formatted(base()))) {
            HttpResponse<String> res = gw.post("/v1/route/explain", "{\"model\":\"auto\",\"max_tokens\":1000,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Analyze this architecture\"}]}");

            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode plan = TestGateway.json(res.body());
            assertThat(plan.get("route").asText()).isEqualTo("premium");
            assertThat(plan.get("model").asText()).isEqualTo("big");
            assertThat(plan.get("candidates").toString()).isEqualTo("[\"big\",\"small\"]");
            assertThat(plan.at("/classification/complexity").asText()).isEqualTo("complex");
            // (25 chars + 3) / 4 = 7, + 4 per message + 3 = 14 input tokens; 14 * $10/1M + 1000 * $20/1M
            assertThat(plan.get("estimated_max_cost").asText()).isEqualTo("0.02014");
            assertThat(upstream.getRequestCount()).isZero();
        }
    }

    @Test
    void givenAnImageAndNonAsciiText_whenExplained_thenTheEstimateAndWorstCaseCountThem() {
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: small, provider: openai, base_url: %1$s, price: {input: "1", output: "2"}}
                """.formatted(base()))) {
            HttpResponse<String> res = gw.post("/v1/route/explain", "{\"model\":\"small\",\"max_tokens\":10,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"这是什么\"},"
                    + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}}]}]}");

            JsonNode plan = TestGateway.json(res.body());
            // 4 CJK characters + 4 for the message + 3 priming + 1,600 for the image
            assertThat(plan.get("estimated_input_tokens").asLong()).isEqualTo(1611);
            // 1,611 * $1 + 10 * $2 per 1M tokens
            assertThat(plan.get("estimated_max_cost").asText()).isEqualTo("0.001631");
        }
    }

    @Test
    void givenAutoPipeline_whenSimplePromptSent_thenDefaultRouteAnswersAndHeaderNamesIt() {
        upstream.enqueue(OpenAiFake.completion("small", "ok", 1, 1));
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: small, provider: openai, base_url: %1$s, price: {input: "1", output: "2"}}
                  - {name: big, provider: openai, base_url: %1$s, price: {input: "10", output: "20"}}
                pipelines:
                  auto:
                    routes:
                      - {name: premium, model: big, when: {complexity: complex}}
                    default_route: small
                """.formatted(base()))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("auto", "hi"));

            assertThat(res.headers().firstValue("x-costwise-route")).hasValue("default");
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("small");
        }
    }

    @Test
    void givenARouterWithABaseline_whenACheapRouteAnswers_thenTheLedgerCountsTheSavingAgainstTheBaseline() {
        upstream.enqueue(OpenAiFake.completion("small", "ok", 1000, 1000));
        upstream.enqueue(OpenAiFake.completion("small", "ok", 1000, 1000));
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: small, provider: openai, base_url: %1$s, price: {input: "1", output: "2"}}
                  - {name: big, provider: openai, base_url: %1$s, price: {input: "10", output: "20"}}
                pipelines:
                  auto:
                    routes:
                      - {name: premium, model: big, when: {complexity: complex}}
                    default_route: small
                    baseline: big
                  plain:
                    default_route: small
                """.formatted(base()))) {
            gw.post("/v1/chat/completions", TestGateway.chat("auto", "hi"));
            gw.post("/v1/chat/completions", TestGateway.chat("plain", "hi"));

            assertThat(gw.records()).hasSize(2);
            CostRecord routed = gw.records().getFirst();
            assertThat(routed.usedModel()).isEqualTo("small");
            assertThat(routed.cost()).isEqualTo(Money.of("0.003"));          // 1000 × $1 + 1000 × $2 per 1M
            assertThat(routed.baselineCost()).isEqualTo(Money.of("0.03"));   // the same tokens on big
            assertThat(routed.savings()).isEqualTo(Money.of("0.027"));
            assertThat(gw.records().getLast().savings()).as("no baseline: no saving claimed").isEqualTo(Money.ZERO);
        }
    }

    @Test
    void givenEmbeddingsModel_whenSameInputTwice_thenPassedThroughOnceAndCached() throws Exception {
        upstream.enqueue(OpenAiFake.embeddings("[0.1,0.2]", 5));
        try (TestGateway gw = TestGateway.openAiEmbeddings(upstream)) {
            String body = "{\"model\":\"text-embedding-3-small\",\"input\":\"hello world\"}";
            HttpResponse<String> first = gw.post("/v1/embeddings", body);
            HttpResponse<String> second = gw.post("/v1/embeddings", body);

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(TestGateway.json(first.body()).at("/data/0/embedding/1").asDouble()).isEqualTo(0.2);
            assertThat(second.headers().firstValue("x-costwise-cache")).hasValue("hit");
            RecordedRequest sent = upstream.takeRequest(5, TimeUnit.SECONDS);
            assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1/embeddings");
            assertThat(upstream.getRequestCount()).isEqualTo(1);
            assertThat(gw.records()).hasSize(2);
            // text-embedding-3-small costs $0.02 per 1M tokens in the bundled catalog
            assertThat(gw.records().getFirst().cost().toString()).isEqualTo("0.0000001");
        }
    }

    @Test
    void givenAnEmbeddingsAnswer_whenMissedAndHit_thenItCarriesTheDocumentedHeadersAsACompletionDoes() {
        upstream.enqueue(OpenAiFake.embeddings("[0.1]", 5));
        try (TestGateway gw = TestGateway.openAiEmbeddings(upstream)) {
            String body = "{\"model\":\"text-embedding-3-small\",\"input\":\"route?\"}";
            for (String cache : new String[] {"miss", "hit"}) {
                HttpResponse<String> res = gw.post("/v1/embeddings", body);

                assertThat(res.headers().firstValue("x-costwise-cache")).hasValue(cache);
                assertThat(res.headers().firstValue("x-costwise-route")).as(cache).hasValue("default");
                assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("text-embedding-3-small");
            }
        }
    }

    @Test
    void givenARoutingPipeline_whenListed_thenItsTargetsAreTheModelsItsRoutesDefaultAndFallbacksReach() {
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: big, provider: openai, model: gpt-4o, base_url: %1$s}
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %1$s}
                  - {name: long, provider: openai, model: gpt-4.1, base_url: %1$s}
                  - {name: spare, provider: openai, model: gpt-4.1-mini, base_url: %1$s}
                aliases: {smart: big}
                pipelines:
                  auto:
                    routes: [{name: premium, model: smart, when: {complexity: complex}}]
                    default_route: mini
                    fallbacks: [spare, mini]
                    context_window_fallback: long
                """.formatted(base()))) {
            JsonNode list = TestGateway.json(gw.get("/v1/models").body());
            JsonNode auto = null;
            for (JsonNode m : list.get("data")) {
                auto = m.get("id").asText().equals("auto") ? m : auto;
            }

            assertThat(auto).isNotNull();
            assertThat(auto.get("costwise_targets").toString()).isEqualTo("[\"big\",\"mini\",\"spare\",\"long\"]");
            assertThat(TestGateway.json(gw.get("/v1/models/auto").body()).get("costwise_targets"))
                    .isEqualTo(auto.get("costwise_targets"));
        }
    }

    @Test
    void givenModelNames_whenOneIsRetrieved_thenItsEntryOr404AndNamesWithSlashesWork() {
        try (TestGateway gw = TestGateway.of("""
                master_key: sk-master
                models:
                  - {name: openrouter/openai/gpt-4o-mini, provider: openai, base_url: %1$s}
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %1$s}
                aliases: {quick: mini}
                keys:
                  - {id: narrow, key_sha256: %2$s, models: [mini]}
                """.formatted(base(), ConfigLoader.sha256Hex("sk-narrow")))) {
            String master = "Bearer sk-master";
            HttpResponse<String> slashed = gw.get("/v1/models/openrouter/openai/gpt-4o-mini", "Authorization", master);
            HttpResponse<String> alias = gw.get("/v1/models/quick", "Authorization", master);
            HttpResponse<String> unknown = gw.get("/v1/models/gpt-9", "Authorization", master);
            HttpResponse<String> notForKey = gw.get("/v1/models/quick", "Authorization", "Bearer sk-narrow");

            assertThat(slashed.statusCode()).isEqualTo(200);
            assertThat(TestGateway.json(slashed.body()).get("id").asText()).isEqualTo("openrouter/openai/gpt-4o-mini");
            assertThat(TestGateway.json(slashed.body()).get("owned_by").asText()).isEqualTo("openai");
            assertThat(TestGateway.json(alias.body()).get("costwise_targets").toString()).isEqualTo("[\"mini\"]");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(TestGateway.json(unknown.body()).at("/error/code").asText()).isEqualTo("model_not_found");
            assertThat(notForKey.statusCode()).as("the key may use mini, not its alias").isEqualTo(404);
            assertThat(gw.get("/v1/models/mini", "Authorization", "Bearer sk-narrow").statusCode()).isEqualTo(200);
            assertThat(gw.get("/v1/models/mini").statusCode()).isEqualTo(401);
            assertThat(gw.delete("/v1/models/openrouter/openai/gpt-4o-mini").headers().firstValue("Allow"))
                    .hasValue("GET, HEAD");
        }
    }

    @Test
    void givenAModelOfTheOtherKind_whenCalled_then400NamingTheModelAndWhereItBelongsWithoutCallingIt() {
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: text-embedding-3-small, provider: openai, base_url: %1$s}
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %1$s}
                  - {name: in-house, provider: openai, model: our-finetune, base_url: %1$s,
                     price: {input: "1", output: "2"}}
                aliases: {embed: text-embedding-3-small}
                """.formatted(base()))) {
            HttpResponse<String> chatOnEmbedding = gw.post("/v1/chat/completions", TestGateway.chat("embed", "hi"));
            HttpResponse<String> embeddingOnChat = gw.post("/v1/embeddings", "{\"model\":\"mini\",\"input\":\"hi\"}");

            assertThat(chatOnEmbedding.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(chatOnEmbedding.body()).at("/error/param").asText()).isEqualTo("model");
            assertThat(TestGateway.json(chatOnEmbedding.body()).at("/error/message").asText()).isEqualTo(
                    "model: 'embed' is an embedding model: send it to POST /v1/embeddings, or name a chat model"
                            + " (configured: mini, in-house)");
            assertThat(embeddingOnChat.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(embeddingOnChat.body()).at("/error/message").asText()).isEqualTo(
                    "model: 'mini' is a chat model: name an embedding model"
                            + " (configured: text-embedding-3-small, in-house)");
            assertThat(upstream.getRequestCount()).as("nothing was sent upstream").isZero();
            assertThat(gw.records()).isEmpty();
        }
    }

    @Test
    void givenAnthropicModel_whenCalledInOpenAiFormat_thenNativeMessagesApiIsUsedAndAnsweredInOpenAiFormat()
            throws Exception {
        // https://docs.anthropic.com/en/api/messages (response shape)
        upstream.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .addHeader("request-id", "req_ant_1")
                .body("{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5\","
                        + "\"content\":[{\"type\":\"text\",\"text\":\"Bonjour\"}],\"stop_reason\":\"end_turn\","
                        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":4}}")
                .build());
        try (TestGateway gw = new TestGateway("""
                models:
                  - name: claude
                    provider: anthropic
                    model: claude-haiku-4-5
                    api_key_env: ANTHROPIC_KEY
                    base_url: %s
                """.formatted(TestGateway.baseUrl(upstream)), Map.of("ANTHROPIC_KEY",
                "sk-ant-test"))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("claude", "Say hello"));

            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode body = TestGateway.json(res.body());
            assertThat(body.get("object").asText()).isEqualTo("chat.completion");
            assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Bonjour");
            assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(10);
            RecordedRequest sent = upstream.takeRequest(5, TimeUnit.SECONDS);
            assertThat(sent.getUrl().encodedPath()).isEqualTo("/v1/messages");
            assertThat(sent.getHeaders().get("x-api-key")).isEqualTo("sk-ant-test");
            // claude-haiku-4-5: $1 in / $5 out per 1M tokens in the bundled catalog
            assertThat(res.headers().firstValue("x-costwise-cost")).hasValue("0.00003");
        }
    }

    @Test
    void givenJdbcKeyStore_whenAKeyIsRotated_thenItKeepsItsCreationTimeAndRecordsTheRotationAcrossAReopen(
            @TempDir Path dir) {
        String url = "jdbc:sqlite:" + dir.resolve("keys.db");
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
        VirtualKey spec = new VirtualKey("ignored", "ci", List.of(), Optional.empty(), BudgetWindow.MONTH,
                Optional.empty(), Optional.empty(), Map.of(), Instant.EPOCH, Optional.empty(), false,
                Optional.empty());
        String id;
        try (VirtualKeyStore store = new JdbcVirtualKeyStore(url, clock)) {
            id = store.create(spec).key().id();
            clock.set(Instant.parse("2026-02-01T00:00:00Z"));
            VirtualKey rotated = store.rotate(id).orElseThrow().key();
            assertThat(rotated.createdAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
            assertThat(rotated.rotatedAt()).hasValue(Instant.parse("2026-02-01T00:00:00Z"));
        }
        try (VirtualKeyStore reopened = new JdbcVirtualKeyStore(url, clock)) {
            VirtualKey k = reopened.list().getFirst();
            assertThat(k.createdAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
            assertThat(k.rotatedAt()).hasValue(Instant.parse("2026-02-01T00:00:00Z"));
        }
    }

    @Test
    void givenJdbcKeyStore_whenReopened_thenKeysSurviveHashedAndRevocationSticks(@TempDir Path dir) {
        String url = "jdbc:sqlite:" + dir.resolve("keys.db");
        VirtualKey spec = new VirtualKey("ignored", "ci", List.of("fast"), Optional.empty(), BudgetWindow.MONTH,
                Optional.of(5), Optional.empty(), Map.of("team", "ci"), Instant.EPOCH, Optional.empty(), false,
                Optional.empty());
        String secret;
        String id;
        try (VirtualKeyStore store = new JdbcVirtualKeyStore(url, Clock.systemUTC())) {
            VirtualKeyStore.Issued issued = store.create(spec);
            secret = issued.secret();
            id = issued.key().id();
        }
        try (VirtualKeyStore reopened = new JdbcVirtualKeyStore(url, Clock.systemUTC())) {
            assertThat(reopened.verify(secret)).map(VirtualKey::id).hasValue(id);
            assertThat(reopened.verify(secret + "x")).isEmpty();
            assertThat(reopened.list().getFirst().rpm()).hasValue(5);
            assertThat(reopened.revoke(id)).isTrue();
        }
        try (VirtualKeyStore again = new JdbcVirtualKeyStore(url, Clock.systemUTC())) {
            assertThat(again.verify(secret)).isEmpty();
            assertThat(again.list().getFirst().revoked()).isTrue();
        }
    }

    @Test
    void givenManyUnknownModelNames_whenRequested_thenMetricTagsStayBounded() {
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: fast, provider: openai, base_url: %s, price: {input: "1", output: "2"}}
                """.formatted(base()))) {
            for (int i = 0; i < 5; i++) {
                gw.post("/v1/chat/completions", TestGateway.chat("made-up-" + i, "q"));
            }
            String metrics = gw.get("/metrics").body();

            assertThat(metrics).doesNotContain("made-up-");
        }
    }

    @Test
    void givenTheWorkflow_whenTheCallerSetsALimitAFormatAndReasoning_thenTheExecutorAnswersWithinThem()
            throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "{\\\"sum\\\": 4}", 20, 6));
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: gpt-4o-mini, provider: openai, base_url: %s}
                  - {name: gpt-4o, provider: openai, base_url: %s}
                pipelines:
                  auto:
                    workflow: true
                    routes:
                      - {name: executor, model: gpt-4o-mini}
                    default_route: gpt-4o
                """.formatted(base(), base()))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", """
                    {"model": "auto", "max_tokens": 50, "reasoning_effort": "high",
                     "response_format": {"type": "json_object"},
                     "messages": [{"role": "user", "content": "What is 2+2? Answer in JSON."}]}""");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("gpt-4o-mini");
            JsonNode sent = TestGateway.json(upstream.takeRequest().getBody().utf8());
            // the limit the budget reserved for, in the name OpenAI's reasoning models also take
            assertThat(sent.path("max_completion_tokens").asInt()).isEqualTo(50);
            assertThat(sent.at("/response_format/type").asText()).isEqualTo("json_object");
            assertThat(sent.has("reasoning_effort")).as("gpt-4o-mini does not reason; OpenAI refuses it").isFalse();
        }
    }

    @Test
    void givenAutoRunsTheWorkflow_whenSimpleTaskSent_thenCheapExecutorAnswersAndEveryCallIsLedgered() {
        try (TestGateway gw = TestGateway.of("""
                models:
                  - {name: gpt-4o-mini, provider: sim}
                  - {name: gpt-4o, provider: sim}
                pipelines:
                  auto:
                    workflow: true
                    routes:
                      - {name: executor, model: gpt-4o-mini}
                    default_route: gpt-4o
                """)) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("auto", "What is 2+2?"));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-route")).hasValue("workflow:simple");
            assertThat(res.headers().firstValue("x-costwise-model-used")).hasValue("gpt-4o-mini");
            JsonNode body = TestGateway.json(res.body());
            assertThat(body.at("/choices/0/message/content").asText()).isNotBlank();
            assertThat(body.at("/costwise/complexity").asText()).isEqualTo("simple");
            assertThat(gw.records()).isNotEmpty().allSatisfy(r -> {
                assertThat(r.requestedModel()).isEqualTo("auto");
                assertThat(r.requestId()).isEqualTo(res.headers().firstValue("x-request-id").orElseThrow());
            });
            assertThat(gw.records().getLast().usedModel()).isEqualTo("gpt-4o-mini");
            // The answer's row carries its baseline, gpt-4o (the orchestrator) on its tokens, so the rows add up to the
            // workflow's own baseline and the ledger's savings are the ones the response reports.
            Money baseline = gw.records().stream().map(CostRecord::baselineCost).reduce(Money.ZERO, Money::plus);
            Money savings = gw.records().stream().map(CostRecord::savings).reduce(Money.ZERO, Money::plus);
            assertThat(baseline).isEqualTo(Money.of(body.at("/costwise/baseline_cost").asText()));
            assertThat(savings).isEqualTo(Money.of(body.at("/costwise/savings").asText())).isNotEqualTo(Money.ZERO);
            assertThat(gw.records().getLast().baselineCost()).isGreaterThan(gw.records().getLast().cost());
        }
    }

    /** {@code auto} runs the workflow with validation over two executors on the fake upstream, plus {@code extra}. */
    private String validatedWorkflow(String extra) {
        return extra + """
                models:
                  - {name: gpt-4o-mini, provider: openai, base_url: %s}
                  - {name: gpt-4o, provider: openai, base_url: %s}
                pipelines:
                  auto:
                    workflow: true
                    validate: true
                    routes:
                      - {name: executors, model: gpt-4o-mini}
                      - {name: strong, model: gpt-4o}
                    default_route: gpt-4o
                """.formatted(base(), base());
    }

    @Test
    void givenWorkflowWithValidate_whenAComplexTaskIsAnswered_thenTheOrchestratorJudgesItBeforeItIsReturned()
            throws Exception {
        upstream.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                boolean judging = request.getBody().utf8().contains("RUBRIC");
                return judging
                        ? OpenAiFake.completion("gpt-4o", "{\\\"pass\\\": true, \\\"reasons\\\": []}", 300, 20)
                        : OpenAiFake.completion("gpt-4o-mini", "Event sourcing keeps every change...", 40, 200);
            }
        });
        try (TestGateway gw = TestGateway.of(validatedWorkflow(""))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("auto",
                    "Analyze the trade-offs of event sourcing for a bank ledger, compare it with CRUD and recommend"));

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-route").orElseThrow()).startsWith("workflow:")
                    .isNotEqualTo("workflow:simple");
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < upstream.getRequestCount(); i++) {
                bodies.add(upstream.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
            }
            assertThat(bodies).as("an executor call, then the orchestrator's verdict").hasSize(2);
            assertThat(bodies.getLast()).contains("RUBRIC");
            assertThat(gw.records()).extracting(CostRecord::usedModel).hasSize(2).last().isEqualTo("gpt-4o");
        }
    }

    /**
     * A workflow's baseline is its answer priced on the baseline model, against everything it paid for (verdicts and
     * superseded answers included). Catalog prices per 1M tokens: gpt-4o $2.50 in / $10 out, gpt-4o-mini $0.15 in /
     * $0.60 out.
     */
    @Test
    void givenAnEscalatedWorkflow_whenItAnswers_thenOnlyItsAnswerOnTheBaselineCountsAndSavingsMayBeNegative() {
        // gpt-4o-mini answers, gpt-4o (the orchestrator) fails it, gpt-4o answers, gpt-4o passes it
        java.util.concurrent.atomic.AtomicInteger verdicts = new java.util.concurrent.atomic.AtomicInteger();
        upstream.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String body = request.getBody().utf8();
                if (body.contains("RUBRIC")) {
                    return OpenAiFake.completion("gpt-4o", verdicts.getAndIncrement() == 0
                            ? "{\\\"pass\\\": false, \\\"reasons\\\": [\\\"shallow\\\"]}"
                            : "{\\\"pass\\\": true, \\\"reasons\\\": []}", 300, 20);
                }
                String model = TestGateway.json(body).path("model").asText();
                return OpenAiFake.completion(model, "Event sourcing keeps every change as an event...", 40, 200);
            }
        });
        try (TestGateway gw = TestGateway.of(validatedWorkflow("master_key: sk-admin\n"))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("auto",
                    "Explain how event sourcing works and give a short example."),
                    "Authorization", "Bearer sk-admin");

            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode cw = TestGateway.json(res.body()).path("costwise");
            assertThat(cw.path("escalations").asInt()).isEqualTo(1);
            // paid: mini 40/200 = 0.000126, verdict 300/20 = 0.00095, gpt-4o 40/200 = 0.0021, verdict 0.00095
            assertThat(Money.of(cw.path("cost").asText())).isEqualTo(Money.of("0.004126"));
            // a direct gpt-4o call would have paid for its answer alone: 40 × $2.50 + 200 × $10 per 1M
            assertThat(Money.of(cw.path("baseline_cost").asText())).isEqualTo(Money.of("0.0021"));
            assertThat(Money.of(cw.path("savings").asText())).isEqualTo(Money.of("-0.002026"));
            assertThat(gw.records()).extracting(CostRecord::baselineCost).as("only the returned answer's row")
                    .containsExactly(Money.ZERO, Money.ZERO, Money.of("0.0021"), Money.ZERO);
            assertThat(gw.records()).extracting(CostRecord::outcome).as("mini's answer was replaced")
                    .containsExactly(Outcome.SUPERSEDED, Outcome.SUCCESS, Outcome.SUCCESS, Outcome.SUCCESS);
            JsonNode total = TestGateway.json(gw.get("/v1/spend", "Authorization", "Bearer sk-admin").body())
                    .path("total");
            assertThat(Money.of(total.path("cost").asText())).isEqualTo(Money.of("0.004126"));
            assertThat(Money.of(total.path("baseline_cost").asText())).isEqualTo(Money.of("0.0021"));
            assertThat(Money.of(total.path("savings").asText())).isEqualTo(Money.of("-0.002026"));
        }
    }

    @Test
    void givenWorkflowThatFailsAfterBilledCalls_whenItFails_thenTheBudgetIsChargedWhatThoseCallsCost()
            throws Exception {
        // The first executor answers, the orchestrator rejects the answer, the executor escalated to is down.
        java.util.concurrent.atomic.AtomicInteger executorCalls = new java.util.concurrent.atomic.AtomicInteger();
        upstream.setDispatcher(new mockwebserver3.Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getBody().utf8().contains("RUBRIC")) {
                    return OpenAiFake.completion("gpt-4o", "{\\\"pass\\\": false, \\\"reasons\\\": [\\\"shallow\\\"]}",
                            300, 20);
                }
                return executorCalls.getAndIncrement() == 0
                        ? OpenAiFake.completion("gpt-4o-mini", "Event sourcing is fine.", 40, 200)
                        : OpenAiFake.error(500, "server_error", null, "executor down");
            }
        });
        try (TestGateway gw = TestGateway.of(validatedWorkflow("""
                master_key: sk-admin
                defaults:
                  retry: {max_retries: 0}
                budgets:
                  - {name: daily, scope: global, window: day, limit: "5.00", on_exhausted: reject}
                """))) {
            HttpResponse<String> res = gw.post("/v1/chat/completions", TestGateway.chat("auto",
                    "Explain how event sourcing works and give a short example."),
                    "Authorization", "Bearer sk-admin");

            assertThat(res.statusCode()).isEqualTo(502);
            Money billed = gw.records().stream().map(CostRecord::cost).reduce(Money.ZERO, Money::plus);
            assertThat(billed).as("the answer and the verdict were billed").isGreaterThan(Money.ZERO);
            JsonNode budget = TestGateway.json(gw.get("/v1/budgets", "Authorization", "Bearer sk-admin").body())
                    .at("/data/0");
            assertThat(Money.of(budget.path("spent").asText())).isEqualTo(billed);
            assertThat(Money.of(budget.path("reserved").asText())).isEqualTo(Money.ZERO);
        }
    }

    @Test
    void givenSpendAlertWithWebhook_whenSpendPassesIt_thenSlackCompatibleMessageIsPosted() throws Exception {
        upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "pricey", 1_000_000, 0));
        try (MockWebServer slack = new MockWebServer()) {
            slack.start();
            slack.enqueue(new MockResponse.Builder().code(200).body("ok").build());
            try (TestGateway gw = TestGateway.of("""
                    models:
                      - {name: fast, provider: openai, base_url: %s, price: {input: "2.00", output: "1"}}
                    alerts:
                      - name: spend-spike
                        metric: spend
                        above: 1
                        window: 1h
                        webhook: %s
                    """.formatted(base(), slack.url("/hook")))) {
                gw.post("/v1/chat/completions", TestGateway.chat("fast", "q"));

                RecordedRequest hook = slack.takeRequest(10, TimeUnit.SECONDS);
                assertThat(hook).isNotNull();
                // https://api.slack.com/messaging/webhooks: a JSON body with "text"
                assertThat(TestGateway.json(hook.getBody().utf8()).get("text").asText()).contains("COST ALERT").contains("$2.00").contains("above $1.00");
            }
        }
    }
}
