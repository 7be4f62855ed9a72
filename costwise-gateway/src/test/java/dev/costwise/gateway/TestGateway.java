package dev.costwise.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.Sleeper;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.http.ResponseDocuments;
import dev.costwise.gateway.keys.InMemoryVirtualKeyStore;
import dev.costwise.gateway.pipeline.MemorySpendLedger;
import dev.costwise.llm.alert.AlertSink;
import dev.costwise.llm.cost.CostRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mockwebserver3.MockWebServer;

/**
 * A real gateway on a free port with an in-memory ledger and key store, a sleeper that only records, and an HTTP
 * client to call it. Our own classes all run for real; only providers are faked (MockWebServer).
 */
final class TestGateway implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Gateway gateway;
    final MemorySpendLedger ledger;
    final InMemoryVirtualKeyStore keys;
    final List<Duration> sleeps = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    TestGateway(String yaml, Map<String, String> env) {
        this(yaml, env, new MemorySpendLedger(), alert -> { });
    }

    /** @return {@code server}'s root URL without its trailing slash, as a config's {@code base_url} takes it */
    static String baseUrl(MockWebServer server) {
        return server.url("/").toString().replaceAll("/$", "");
    }

    /** A gateway writing to {@code ledger} (replicas share one, as they share a database) and {@code redisAlerts}. */
    TestGateway(String yaml, Map<String, String> env, MemorySpendLedger ledger, AlertSink redisAlerts) {
        this(yaml, env, ledger, redisAlerts, new InMemoryVirtualKeyStore(Clock.systemUTC()));
    }

    /** As above, with the virtual keys of {@code keys}: replicas that share it see a key's changes at once. */
    TestGateway(String yaml, Map<String, String> env, MemorySpendLedger ledger, AlertSink redisAlerts,
            InMemoryVirtualKeyStore keys) {
        this(yaml, env, ledger, redisAlerts, Ticker.systemTicker(), Optional.empty(), keys, Clock.systemUTC());
    }

    /** A gateway whose TTLs, deadlines and circuit waits read {@code ticker}. */
    TestGateway(String yaml, Map<String, String> env, Ticker ticker) {
        this(yaml, env, new MemorySpendLedger(), alert -> { }, ticker, Optional.empty(),
                new InMemoryVirtualKeyStore(Clock.systemUTC()), Clock.systemUTC());
    }

    /** A gateway whose wall time (budget windows, ledger rows, a rate limit's reset) reads {@code clock}. */
    TestGateway(String yaml, Map<String, String> env, Clock clock) {
        this(yaml, env, new MemorySpendLedger(), alert -> { }, Ticker.systemTicker(), Optional.empty(),
                new InMemoryVirtualKeyStore(Clock.systemUTC()), clock);
    }

    /** A gateway keeping the Responses API's stored responses in {@code storedResponses}. */
    TestGateway(String yaml, Map<String, String> env, ResponseDocuments storedResponses) {
        this(yaml, env, new MemorySpendLedger(), alert -> { }, Ticker.systemTicker(), Optional.of(storedResponses),
                new InMemoryVirtualKeyStore(Clock.systemUTC()), Clock.systemUTC());
    }

    /** A gateway whose waits between retries go to {@code sleeper} (instead of being recorded). */
    TestGateway(String yaml, Map<String, String> env, Sleeper sleeper) {
        this(yaml, env, new MemorySpendLedger(), alert -> { }, Ticker.systemTicker(), Optional.empty(),
                new InMemoryVirtualKeyStore(Clock.systemUTC()), Clock.systemUTC(), Optional.of(sleeper));
    }

    /** A gateway whose durations read {@code ticker} and whose waits between retries go to {@code sleeper}. */
    TestGateway(String yaml, Map<String, String> env, Ticker ticker, Sleeper sleeper) {
        this(yaml, env, new MemorySpendLedger(), alert -> { }, ticker, Optional.empty(),
                new InMemoryVirtualKeyStore(Clock.systemUTC()), Clock.systemUTC(), Optional.of(sleeper));
    }

    private TestGateway(String yaml, Map<String, String> env, MemorySpendLedger ledger, AlertSink redisAlerts,
            Ticker ticker, Optional<ResponseDocuments> storedResponses, InMemoryVirtualKeyStore keys, Clock clock) {
        this(yaml, env, ledger, redisAlerts, ticker, storedResponses, keys, clock, Optional.empty());
    }

    private TestGateway(String yaml, Map<String, String> env, MemorySpendLedger ledger, AlertSink redisAlerts,
            Ticker ticker, Optional<ResponseDocuments> storedResponses, InMemoryVirtualKeyStore keys, Clock clock,
            Optional<Sleeper> sleeper) {
        this.ledger = ledger;
        this.keys = keys;
        GatewayConfig parsed = new ConfigLoader(env::get).parse(yaml, "test.yaml");
        GatewayConfig.Server s = parsed.server();
        GatewayConfig config = parsed.withServer(s.withAddress("127.0.0.1", 0));
        Gateway.Builder builder = Gateway.builder(config).ledger(ledger).keys(keys)
                .sleeper(sleeper.orElse(sleeps::add)).ticker(ticker).clock(clock).redisAlerts(redisAlerts);
        storedResponses.ifPresent(builder::storedResponses);
        this.gateway = builder.build().start();
    }

    /**
     * A gateway with one model of each native format on {@code upstream}: {@code flash} (Gemini), {@code claude}
     * (Anthropic) and {@code mini} (OpenAI, under {@code /v1}).
     */
    static TestGateway nativeModels(MockWebServer upstream) {
        return of("""
                models:
                  - {name: flash, provider: gemini, model: gemini-2.5-flash, base_url: %1$s, api_key: AIza-test,
                     price: {input: "0.30", output: "2.50"}}
                  - {name: claude, provider: anthropic, model: claude-sonnet-4-5, base_url: %1$s, api_key: k,
                     price: {input: "3", output: "15"}}
                  - {name: mini, provider: openai, model: gpt-4o-mini, base_url: %1$s/v1,
                     price: {input: "1", output: "2"}}
                """.formatted(baseUrl(upstream)));
    }

    /** A gateway serving {@code text-embedding-3-small} from {@code upstream}, under {@code /v1}. */
    static TestGateway openAiEmbeddings(MockWebServer upstream) {
        return of("""
                models:
                  - {name: text-embedding-3-small, provider: openai, base_url: %s/v1}
                """.formatted(baseUrl(upstream)));
    }

    static TestGateway of(String yaml) {
        return new TestGateway(yaml, Map.of("TEST_KEY", "sk-upstream-secret"));
    }

    /** A chat body with one user message. */
    static String chat(String model, String prompt) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    HttpResponse<String> post(String path, String body, String... headers) {
        return request("POST", path, HttpRequest.BodyPublishers.ofString(body), headers);
    }

    HttpResponse<String> patch(String path, String body, String... headers) {
        return request("PATCH", path, HttpRequest.BodyPublishers.ofString(body), headers);
    }

    /** @return the port the gateway listens on, for a test that writes its request's bytes itself */
    int port() {
        return gateway.port();
    }

    HttpResponse<String> get(String path, String... headers) {
        return request("GET", path, HttpRequest.BodyPublishers.noBody(), headers);
    }

    HttpResponse<String> delete(String path, String... headers) {
        return request("DELETE", path, HttpRequest.BodyPublishers.noBody(), headers);
    }

    /** Sends a request; {@code headers} are name, value, name, value... A body goes as JSON. */
    HttpResponse<String> request(String method, String path, HttpRequest.BodyPublisher body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
                .timeout(Duration.ofSeconds(20)).method(method, body);
        if (body.contentLength() != 0) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The server-sent events of a response with named events: each {@code event:} type with its JSON data. */
    static List<Map.Entry<String, JsonNode>> events(String sse) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        for (String event : sse.split("\n\n")) {
            String[] lines = event.split("\n");
            if (lines.length == 2 && lines[0].startsWith("event: ") && lines[1].startsWith("data: ")) {
                out.add(Map.entry(lines[0].substring(7), json(lines[1].substring(6))));
            } else if (!event.isBlank()) {
                throw new AssertionError("not an event: " + event);
            }
        }
        return out;
    }

    /** The JSON {@code data:} events of an OpenAI-style stream, in order ({@code [DONE]} left out). */
    static List<JsonNode> dataChunks(String sse) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: {")) {
                out.add(json(line.substring(6)));
            }
        }
        return out;
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + s, e);
        }
    }

    List<CostRecord> records() {
        return ledger.records();
    }

    @Override
    public void close() {
        gateway.close();
    }
}
