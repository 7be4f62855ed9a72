package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.EmbeddedDefaults;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.config.RouteTests;
import dev.costwise.llm.cost.Outcome;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class ShutdownAndConfigTest {
    @StartStop
    final MockWebServer upstream = new MockWebServer();

    @Test
    void givenRequestInFlight_whenGatewayCloses_thenRequestCompletesAndItsLedgerRowIsKept() throws Exception {
        // The upstream holds its answer back for 700 ms, so close() starts while the request is in flight.
        upstream.enqueue(new MockResponse.Builder(OpenAiFake.completion("gpt-4o-mini", "late", 5, 5))
                .headersDelay(700, TimeUnit.MILLISECONDS).build());
        TestGateway gw = TestGateway.of("""
                models:
                  - name: fast
                    provider: openai
                    base_url: %s
                    price: {input: "1.00", output: "1.00"}
                """.formatted(upstream.url("/v1").toString().replaceAll("/$", "")));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(
                    () -> gw.post("/v1/chat/completions", TestGateway.chat("fast", "q")), pool);
            upstream.takeRequest(5, TimeUnit.SECONDS);

            gw.close();

            assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(gw.records()).extracting(r -> r.outcome()).containsExactly(Outcome.SUCCESS);
        }
    }

    @Test
    void givenRequestsStillRunningWhenTheGraceRunsOut_whenGatewayCloses_thenEachStillHasItsLedgerRow()
            throws Exception {
        // The upstream would answer after 5 s, far past the 300 ms grace: close() cuts the calls off.
        for (int i = 0; i < 4; i++) {
            upstream.enqueue(new MockResponse.Builder(OpenAiFake.completion("gpt-4o-mini", "late", 5, 5))
                    .headersDelay(5, TimeUnit.SECONDS).build());
        }
        TestGateway gw = TestGateway.of("""
                server: {shutdown_grace: 300ms}
                models:
                  - name: fast
                    provider: openai
                    base_url: %s
                    price: {input: "1.00", output: "1.00"}
                defaults:
                  retry: {max_retries: 0}
                """.formatted(TestGateway.baseUrl(upstream)));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4; i++) {
                String body = i % 2 == 0 ? TestGateway.chat("fast", "q" + i) : "{\"model\":\"fast\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"q" + i + "\"}]}";
                pool.submit(() -> gw.post("/v1/chat/completions", body));
            }
            for (int i = 0; i < 4; i++) {
                assertThat(upstream.takeRequest(5, TimeUnit.SECONDS)).isNotNull();
            }

            gw.close();

            assertThat(gw.records()).hasSize(4).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.FAILED));
        }
    }

    @Test
    void givenConfigWithManyMistakes_whenLoaded_thenEveryProblemIsListedWithItsPath() {
        String yaml = """
                server:
                  port: 99999
                  max_body_size: lots
                  cache_memory: much
                  responses_ttl: 30s
                models:
                  - name: a
                    provider: openai
                  - name: a
                    provider: opnai
                  - provider: anthropic
                    price: {input: "x"}
                pipelines:
                  auto:
                    fallbacks: [nope]
                    baseline: gpt-5
                    retry: {backoff: sideways}
                    timeout: soon
                budgets:
                  - name: b
                    limit: "5"
                    on_exhausted: downgrade
                colour: blue
                """;
        assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "bad.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).contains(
                        "colour: unknown field (known: alerts, aliases, budgets, defaults, groups, keys, ledger, "
                                + "master_key, models, pipelines, redis, server, tests, throttles)",
                        "server.port: must be in [0, 65535], was 99999",
                        "server.max_body_size: expected a size such as 512KB or 10MB, was 'lots'",
                        "server.cache_memory: expected a size such as 512KB or 10MB, was 'much'",
                        "server.responses_ttl: must be at least 1m (a conversation must outlive its next turn), "
                                + "was 30s",
                        "models[0].price: no price is known for 'a' (openai), so its calls could not be billed or "
                                + "held to a budget: set price: {input: \"...\", output: \"...\"} in dollars per 1M "
                                + "tokens (\"0\" for a free model)",
                        "models[1].name: duplicate model name 'a'",
                        "models[1].provider: unknown provider 'opnai' (known: openai, anthropic, gemini, groq, "
                                + "openrouter, deepseek, mistral, huggingface, together, ollama, openai-compatible, "
                                + "sim)",
                        "models[2].name: is required",
                        "models[2].api_key_env: provider 'anthropic' needs an API key: set ANTHROPIC_API_KEY or "
                                + "api_key",
                        "models[2].price.input: expected a dollar amount such as \"2.50\", was 'x'",
                        "models[2].price.output: is required",
                        "pipelines.auto.fallbacks[0]: unknown model 'nope' (known: a)",
                        "pipelines.auto.baseline: unknown model 'gpt-5' (known: a)",
                        "pipelines.auto: no model, alias or group is named 'auto'; a pipeline of a name of its own "
                                + "needs routes or a default_route",
                        "pipelines.auto.retry.backoff: unknown value 'sideways' (known: constant, linear, exponential)",
                        "pipelines.auto.timeout: expected a duration such as 250ms, 30s, 5m, 1h or 1d, was 'soon'",
                        "budgets[0].downgrade_to: on_exhausted: downgrade needs downgrade_to (a free or cheap "
                                + "model)"))
                .hasMessageContaining("18 problems in bad.yaml");
    }

    @Test
    void givenKeyLimitsBeyondAnIntAndBadTags_whenLoaded_thenEachIsRefusedWithItsPath() {
        String yaml = """
                models: [{name: m, provider: sim}]
                keys:
                  - id: k
                    key_sha256: %s
                    rpm: 8589934593
                    tpm: 2147483648
                    tags: {team: "(none)", user: alice, Bad: x}
                """.formatted(ConfigLoader.sha256Hex("sk-k"));
        assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "keys.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "keys[0].rpm: expected a whole number in [1, 2147483647], was '8589934593'",
                        "keys[0].tpm: expected a whole number in [1, 2147483647], was '2147483648'",
                        "keys[0].tags.team: the value of tag 'team' cannot be '(none)': spend reports name the rows"
                                + " without one so",
                        "keys[0].tags.user: tag 'user' cannot be set on a key: it names the end user, from a "
                                + "request's body",
                        "keys[0].tags.Bad: tag name 'Bad' must start with a lowercase letter and use only a-z, 0-9,"
                                + " '_', '.' or '-' (at most 40 characters)"));
    }

    @Test
    void givenNamesThatWouldBreakAResponseHeader_whenLoaded_thenEachIsRefusedWithItsPath() {
        String yaml = """
                models:
                  - name: "gpt\\nSet-Cookie: x=1"
                    provider: sim
                  - name: fine
                    provider: sim
                pipelines:
                  auto:
                    routes:
                      - name: "che\\rap"
                        model: fine
                budgets:
                  - name: "dai\\x07ly"
                    limit: "5"
                """;
        assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "headers.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "models[0].name: 'gpt?Set-Cookie: x=1' contains a control character or a character outside"
                                + " Latin-1; it is sent in the x-costwise-model-used header",
                        "pipelines.auto.routes[0].name: 'che?ap' contains a control character or a character"
                                + " outside Latin-1; it is sent in the x-costwise-route header",
                        "budgets[0].name: 'dai?ly' contains a control character or a character outside Latin-1;"
                                + " it is sent in the x-costwise-route header"));
    }

    @Test
    void givenBadAlertsBudgetsAndRoutingTests_whenLoaded_thenEachIsReportedWithItsPathAndNoWebhookUrlIsEchoed() {
        String yaml = """
                models: [{name: s1, provider: sim}]
                pipelines:
                  auto:
                    routes: [{name: big, model: s1, when: {min_chars: 50}}]
                budgets:
                  - {name: dup, limit: "1"}
                  - {name: dup, limit: "2"}
                alerts:
                  - {name: w, metric: spend, above: -1, webhook: "https://hooks.example/T0/not a url"}
                  - {name: w2, metric: spend, above: 1, webhook: "relative/SECRET-PATH"}
                  - {name: w3, metric: spend, above: 1, webhook: "ftp://example.com/SECRET-PATH"}
                  - {name: w4, metric: error_rate, above: 0.1, below: 0.05}
                  - {name: w5, metric: budget_utilization, above: 0}
                tests:
                  - {input: "y", expect_route: nosuchroute}
                  - {input: "x", expect_route: default}
                """;
        assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "alerts.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        // the test expecting default passed, while the gateway answered such a request 404
                        "pipelines.auto.default_route: is required: 'auto' is not a model, alias or group, so a "
                                + "request none of its routes takes would have no model to go to (the gateway "
                                + "would answer it 404); name the model for them, e.g. default_route: s1",
                        "budgets[1].name: duplicate budget name 'dup'",
                        "alerts[0].above: cannot be negative, was -1",
                        "alerts[0].webhook: must be an absolute http(s) URL",
                        "alerts[1].webhook: must be an absolute http(s) URL",
                        "alerts[2].webhook: must be an absolute http(s) URL",
                        "alerts[3]: has both above and below; set the one its metric uses (below for cache_hit_rate,"
                                + " above for the others)",
                        "alerts[4].above: expected a share in (0, 1] for budget_utilization, was 0",
                        "tests[0].expect_route: no route 'nosuchroute' in its pipeline (known: big, default)"))
                .message().doesNotContain("SECRET", "hooks.example");
    }

    @Test
    void givenValidateWithoutTheWorkflow_whenLoaded_thenTheProblemNamesThePipeline() {
        String yaml = "models: [{name: m, provider: sim}]\npipelines:\n  m: {validate: true}\n";
        assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "v.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "pipelines.m.validate: validation is a step of the multi-model workflow: set workflow: true"));
    }

    @Test
    void givenEnvReferences_whenLoaded_thenSubstitutedAndMissingOnesReported() {
        String yaml = """
                master_key: ${MASTER}
                models:
                  - name: a
                    provider: openai-compatible
                    base_url: ${BASE:-http://localhost:8000/v1}
                    api_key: ${MISSING_KEY}
                    price: {input: "0", output: "0"}
                """;
        assertThatThrownBy(() -> new ConfigLoader(Map.of("MASTER", "m")::get).parse(yaml, "env.yaml"))
                .hasMessageContaining("models[0].api_key: environment variable MISSING_KEY is not set");
        GatewayConfig ok = new ConfigLoader(Map.of("MASTER", "m", "MISSING_KEY", "k")::get).parse(yaml, "env.yaml");
        assertThat(ok.masterKey()).hasValue("m");
        assertThat(ok.models().getFirst().baseUrl()).isEqualTo("http://localhost:8000/v1");
        assertThat(ok.models().getFirst().toString()).doesNotContain("k]");
    }

    @Test
    void givenAFileWithoutMasterKey_whenCostwiseMasterKeyIsSet_thenTheVariableIsTheMasterKey() {
        String yaml = "models: [{name: m, provider: sim}]\n";
        assertThat(new ConfigLoader(Map.of("COSTWISE_MASTER_KEY", "mk-env")::get).parse(yaml, "m.yaml").masterKey())
                .hasValue("mk-env");
        assertThat(new ConfigLoader(Map.of("COSTWISE_MASTER_KEY", "mk-env")::get)
                .parse("master_key: mk-file\n" + yaml, "m.yaml").masterKey()).as("the file's own key wins")
                .hasValue("mk-file");
        assertThat(new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "m.yaml").masterKey()).isEmpty();
    }

    @Test
    void givenRoutingTestsInConfig_whenRun_thenFailingCasesAreReported() {
        String yaml = """
                models:
                  - {name: small, provider: sim, price: {input: "0.1", output: "0.1"}}
                  - {name: big, provider: sim, price: {input: "5", output: "15"}}
                pipelines:
                  auto:
                    routes:
                      - name: premium
                        model: big
                        when: {complexity: complex}
                      - name: cheap
                        model: small
                        when: {max_chars: 2000}
                    default_route: small
                tests:
                  - input: "Analyze the trade-offs of event sourcing for a bank ledger"
                    expect_route: premium
                  - input: "Translate 'hello' to French"
                    expect_route: cheap
                  - input: "What is 2+2?"
                    expect_route: premium
                """;
        GatewayConfig config = new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "routes.yaml");

        List<String> failures = RouteTests.run(config);

        assertThat(failures).containsExactly("tests[2]: \"What is 2+2?\" took route 'cheap', expected 'premium'");
    }

    @Test
    void givenNoProviderKeys_whenEmbeddedDefault_thenSimulatedWithCatalogNamesAndLedgerInDataFolder() {
        GatewayConfig sim = EmbeddedDefaults.fromEnvironment(Map.<String, String>of()::get);
        GatewayConfig proxied = EmbeddedDefaults.fromEnvironment(Map.of("UPSTREAM_BASE_URL",
                "http://127.0.0.1:18080/v1")::get);

        assertThat(sim.simulated()).isTrue();
        assertThat(sim.models()).extracting(GatewayConfig.Model::provider).containsOnly("sim");
        assertThat(sim.ledgerUrl()).hasValue("jdbc:sqlite:./costwise-data/ledger.db");
        assertThat(sim.server().port()).isEqualTo(4000);
        assertThat(proxied.simulated()).isFalse();
        assertThat(proxied.model("gpt-4o-mini").orElseThrow().baseUrl()).isEqualTo("http://127.0.0.1:18080/v1");
    }

    @Test
    void givenSimulatedDefault_whenCalled_thenAnswerIsLabelledSimulated() {
        GatewayConfig sim = EmbeddedDefaults.fromEnvironment(Map.<String, String>of()::get);
        GatewayConfig local = sim.withServer(new GatewayConfig.Server("127.0.0.1", 0, 1 << 20,
                java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(10)));
        try (Gateway gw = Gateway.builder(local).ledger(new dev.costwise.gateway.pipeline.MemorySpendLedger())
                .keys(new dev.costwise.gateway.keys.InMemoryVirtualKeyStore(java.time.Clock.systemUTC())).build()
                .start()) {
            var client = java.net.http.HttpClient.newHttpClient();
            var res = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + gw.port() + "/v1/chat/completions")).POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                    TestGateway.chat("gpt-4o-mini", "hi"))).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-costwise-simulated")).hasValue("true");
            assertThat(res.body()).contains("simulated");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void givenSqliteLedger_whenGatewayStopsRightAfterABurst_thenEveryRowIsDurableOnReopen(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        for (int i = 0; i < 20; i++) {
            upstream.enqueue(OpenAiFake.completion("gpt-4o-mini", "a" + i, 10, 10));
        }
        String url = "jdbc:sqlite:" + dir.resolve("ledger.db");
        GatewayConfig config = new ConfigLoader(Map.<String, String>of()::get).parse("""
                server: {port: 0}
                ledger: {url: "%s"}
                models:
                  - {name: fast, provider: openai, base_url: %s, price: {input: "1", output: "2"}}
                """.formatted(url, upstream.url("/v1").toString().replaceAll("/$", "")), "sqlite.yaml");
        Gateway gateway = Gateway.builder(config).build().start();
        var client = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < 20; i++) {
            var res = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + gateway.port() + "/v1/chat/completions")).header("Cache-Control", "no-store")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(TestGateway.chat("fast", "q" + i))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
        }

        gateway.close();

        try (var reopened = dev.costwise.store.SpendLedgers.open(url, dev.costwise.store.LedgerOptions.ofDefaults())) {
            assertThat(reopened.records(java.time.Instant.EPOCH, java.time.Instant.now().plusSeconds(60), 100))
                    .hasSize(20).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS));
        }
    }
}
