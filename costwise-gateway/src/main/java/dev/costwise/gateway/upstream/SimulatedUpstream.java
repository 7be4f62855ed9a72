package dev.costwise.gateway.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.http.IntegerField;
import dev.costwise.llm.chat.Usage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Answers locally in OpenAI's format, for the embedded default when no provider key is set: a deterministic text
 * that says it is simulated, and token counts estimated from the prompt (about four characters per token). Nothing
 * leaves the machine. Thread-safe.
 */
public final class SimulatedUpstream implements Upstream {
    private final ObjectMapper json;
    private final Clock clock;

    /**
     * @param json the shared mapper
     * @param clock gives the {@code created} time
     */
    public SimulatedUpstream(ObjectMapper json, Clock clock) {
        this.json = json;
        this.clock = clock;
    }

    @Override
    public Reply complete(Call call) {
        Answer a = answer(call);
        ObjectNode root = json.createObjectNode();
        root.put("id", a.id).put("object", "chat.completion").put("created", clock.millis() / 1000)
                .put("model", call.model().upstreamModel());
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", a.text).putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", a.finish);
        usageNode(root.putObject("usage"), a.usage);
        root.put("system_fingerprint", "costwise-sim");
        return new Reply(bytes(root), Optional.of(a.usage), call.model().upstreamModel(), Optional.empty());
    }

    @Override
    public Events stream(Call call) {
        Answer a = answer(call);
        long created = clock.millis() / 1000;
        String model = call.model().upstreamModel();
        List<String> chunks = new ArrayList<>();
        ObjectNode first = chunk(a.id, created, model);
        ((ObjectNode) first.withArray("choices").get(0)).putObject("delta").put("role", "assistant")
                .put("content", "");
        chunks.add(first.toString());
        for (String word : a.text.split("(?<= )")) {
            ObjectNode c = chunk(a.id, created, model);
            ((ObjectNode) c.withArray("choices").get(0)).putObject("delta").put("content", word);
            chunks.add(c.toString());
        }
        ObjectNode last = chunk(a.id, created, model);
        ObjectNode lastChoice = (ObjectNode) last.withArray("choices").get(0);
        lastChoice.putObject("delta");
        lastChoice.put("finish_reason", a.finish);
        chunks.add(last.toString());
        ObjectNode usage = json.createObjectNode();
        usage.put("id", a.id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
        usage.putArray("choices");
        usageNode(usage.putObject("usage"), a.usage);
        chunks.add(usage.toString());
        Iterator<String> it = chunks.iterator();
        return new Events() {
            private boolean usageSeen;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public String next() {
                String s = it.next();
                usageSeen |= !it.hasNext();
                return s;
            }

            @Override
            public Optional<Usage> usage() {
                return usageSeen ? Optional.of(a.usage) : Optional.empty();
            }

            @Override
            public Optional<String> answeredModel() {
                return Optional.of(model);
            }

            @Override
            public void close() {
                // nothing to release
            }
        };
    }

    @Override
    public Reply embed(Call call) {
        JsonNode input = call.body().path("input");
        List<String> texts = new ArrayList<>();
        if (input.isArray()) {
            input.forEach(n -> texts.add(n.asText()));
        } else {
            texts.add(input.asText());
        }
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        long tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding").put("index", i);
            ArrayNode vec = item.putArray("embedding");
            int h = texts.get(i).hashCode();
            for (int d = 0; d < 8; d++) {
                vec.add(((h >>> d) & 0xff) / 255.0);
            }
            tokens += estimateTokens(texts.get(i));
        }
        root.put("model", call.model().upstreamModel());
        root.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return new Reply(bytes(root), Optional.of(Usage.of(tokens, 0)), call.model().upstreamModel(), Optional.empty());
    }

    private record Answer(String id, String text, String finish, Usage usage) {}

    private Answer answer(Call call) {
        StringBuilder prompt = new StringBuilder();
        int messages = 0;
        for (JsonNode m : call.body().path("messages")) {
            messages++;
            JsonNode content = m.path("content");
            if (content.isTextual()) {
                prompt.append(content.asText());
            } else if (content.isArray()) {
                content.forEach(p -> prompt.append(p.path("text").asText("")));
            }
        }
        String last = prompt.length() > 60 ? prompt.substring(prompt.length() - 60) : prompt.toString();
        String text = "This is a simulated answer from " + call.model().name() + " (no provider is configured, so "
                + "Costwise's sim provider answered). You asked about: \"" + last.replace('\n', ' ') + "\".";
        long input = estimateTokens(prompt.toString()) + 3L * messages + 3;
        long wanted = estimateTokens(text);
        long max = IntegerField.outputLimitOf(call.body()).orElse(0);
        String finish = "stop";
        if (max > 0 && wanted > max) {
            int cut = (int) Math.min(text.length(), max * 4);
            text = text.substring(0, cut);
            wanted = max;
            finish = "length";
        }
        String id = "chatcmpl-sim" + Integer.toHexString(prompt.toString().hashCode() ^ call.model().name()
                .hashCode());
        return new Answer(id, text, finish, Usage.of(input, wanted));
    }

    private static long estimateTokens(String text) {
        return Math.max(1, (text.length() + 3) / 4);
    }

    private ObjectNode chunk(String id, long created, String model) {
        ObjectNode c = json.createObjectNode();
        c.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model)
                .put("system_fingerprint", "costwise-sim");
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return c;
    }

    private static void usageNode(ObjectNode u, Usage usage) {
        u.put("prompt_tokens", usage.inputTokens()).put("completion_tokens", usage.outputTokens())
                .put("total_tokens", usage.totalTokens());
    }

    private byte[] bytes(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
