package dev.costwise.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.Gateway;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.keys.InMemoryVirtualKeyStore;
import dev.costwise.gateway.pipeline.MemorySpendLedger;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.planner.Planner;
import dev.costwise.planner.replay.ReplayOptions;
import dev.costwise.planner.replay.ReplayResult;
import dev.costwise.planner.scenario.GatewayPipelineReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * Sends a trace's requests to a real gateway and replays the same trace with the planner, both on one gateway
 * configuration, so a test can compare what the gateway billed with what the planner predicts. Only the provider is
 * faked: a MockWebServer speaking OpenAI's chat-completions format, which answers each request with the usage markers
 * in its last user message ask for ({@code P=} prompt tokens, {@code C=} completion tokens over all choices; 100 and
 * 20 by default) and as many choices as the request's {@code n}. A trace line's usage should say the same, as the
 * provider's answer would have.
 *
 * <p>Each line's request goes to the gateway under the replayed pipeline's name (as a caller of that pipeline sends
 * it), with the virtual key the line's {@code key} names ({@code Bearer sk-<key>}: configure each key with
 * {@code key: sk-<id>}).
 */
final class GatewayParity implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper EXACT = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final Pattern MARKER = Pattern.compile("\\b([PC])=(\\d+)");

    private final MockWebServer upstream = new MockWebServer();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    GatewayParity() throws IOException {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer(request);
            }
        });
        upstream.start();
    }

    /** @return {@code yaml} with each {@code UPSTREAM} replaced by the fake provider's base URL */
    String config(String yaml) {
        return yaml.replace("UPSTREAM", upstream.url("/v1").toString().replaceAll("/$", ""));
    }

    /**
     * What the gateway answered one request.
     *
     * @param status the HTTP status
     * @param cost its {@code x-costwise-cost}, 0 for a refusal
     * @param cache its {@code x-costwise-cache}: {@code hit}, {@code miss} or {@code bypass}; "" for a refusal
     * @param model its {@code x-costwise-model-used}; "" for a refusal
     * @param route its {@code x-costwise-route}; "" for a refusal
     */
    record Answer(int status, BigDecimal cost, String cache, String model, String route) {}

    /**
     * Sends every request of {@code trace} to a gateway running {@code yaml}, under {@code pipeline}'s name.
     *
     * @return each request's answer, in order
     */
    List<Answer> atTheGateway(String yaml, String pipeline, List<String> trace) throws Exception {
        GatewayConfig parsed = new ConfigLoader(name -> null).parse(config(yaml), "gw.yaml");
        GatewayConfig config = parsed.withServer(parsed.server().withAddress("127.0.0.1", 0));
        List<Answer> answers = new ArrayList<>();
        try (Gateway gateway = Gateway.builder(config).ledger(new MemorySpendLedger())
                .keys(new InMemoryVirtualKeyStore(Clock.systemUTC())).sleeper(duration -> { }).build().start()) {
            for (String line : trace) {
                JsonNode wrapper = JSON.readTree(line);
                ObjectNode body = (ObjectNode) (wrapper.has("request") ? wrapper.get("request") : wrapper).deepCopy();
                body.put("model", pipeline);
                HttpRequest.Builder post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
                                + "/v1/chat/completions")).timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
                if (wrapper.hasNonNull("key")) {
                    post.header("Authorization", "Bearer sk-" + wrapper.get("key").asText());
                }
                HttpResponse<String> res = client.send(post.build(), HttpResponse.BodyHandlers.ofString());
                answers.add(new Answer(res.statusCode(), new BigDecimal(res.headers().firstValue("x-costwise-cost")
                        .orElse("0")), res.headers().firstValue("x-costwise-cache").orElse(""),
                        res.headers().firstValue("x-costwise-model-used").orElse(""),
                        res.headers().firstValue("x-costwise-route").orElse("")));
            }
        }
        return answers;
    }

    /** @return the total of what the gateway billed */
    static BigDecimal billed(List<Answer> answers) {
        return answers.stream().map(Answer::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** Replays {@code trace} through {@code yaml}'s pipeline {@code pipeline}, as {@code costwise replay} does. */
    ReplayResult replayed(String yaml, String pipeline, List<String> trace, Path dir) throws IOException {
        GatewayPipelineReader.Priced priced = new GatewayPipelineReader(ModelCatalogs.bundled())
                .readPriced(config(yaml), pipeline, "gw.yaml");
        return Planner.of(priced.catalog()).replay(Files.write(dir.resolve("trace.jsonl"), trace),
                priced.pipeline(), ReplayOptions.defaults());
    }

    /** @return a metric of the replay's report, exact */
    static BigDecimal metric(ReplayResult replay, String name) {
        return replay.report().metric(name).orElseThrow(() -> new AssertionError("no metric " + name));
    }

    private static MockResponse answer(RecordedRequest request) {
        try {
            JsonNode body = EXACT.readTree(request.getBody().utf8());
            ArrayNode messages = (ArrayNode) body.path("messages");
            JsonNode content = messages.get(messages.size() - 1).path("content");
            String text = content.isArray() ? content.get(0).path("text").asText() : content.asText();
            Map<String, Long> usage = new java.util.HashMap<>(Map.of("P", 100L, "C", 20L));
            Matcher m = MARKER.matcher(text);
            while (m.find()) {
                usage.put(m.group(1), Long.parseLong(m.group(2)));
            }
            ObjectNode answer = JSON.createObjectNode().put("id", "chatcmpl-fake").put("object", "chat.completion")
                    .put("created", 1_700_000_000L).put("model", body.path("model").asText());
            ArrayNode choices = answer.putArray("choices");
            for (int i = 0; i < Math.max(1, body.path("n").asInt(1)); i++) {
                ObjectNode choice = choices.addObject().put("index", i).put("finish_reason", "stop");
                choice.putObject("message").put("role", "assistant").put("content", "fake answer " + i);
            }
            answer.putObject("usage").put("prompt_tokens", usage.get("P")).put("completion_tokens", usage.get("C"))
                    .put("total_tokens", usage.get("P") + usage.get("C"));
            return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                    .body(JSON.writeValueAsString(answer)).build();
        } catch (IOException e) {
            return new MockResponse.Builder().code(400).body("{\"error\": {\"message\": \"bad body\"}}").build();
        }
    }

    @Override
    public void close() throws IOException {
        upstream.close();
    }
}
