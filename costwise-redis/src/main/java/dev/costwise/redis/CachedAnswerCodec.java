package dev.costwise.redis;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.costwise.core.Money;
import dev.costwise.llm.cache.CachedAnswer;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.PriceStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Turns a {@link CachedAnswer} into compact bytes for Redis and back: JSON (Jackson) of a flat, versioned form,
 * compressed with {@link Deflater}. Text answers shrink to about a third; the format is independent of the Java
 * classes, so replicas of different versions read each other's entries or, at a new format version, miss.
 */
final class CachedAnswerCodec {

    /** Bumped when the stored form changes incompatibly; entries of another version read as misses. */
    static final int VERSION = 1;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private CachedAnswerCodec() {}

    record StoredToolCall(String id, String name, String arguments) {}

    record StoredAnswer(int v, String id, String requestedModel, String model, String provider, List<String> text,
            List<StoredToolCall> toolCalls, String finishReason, long inputTokens, long cachedInputTokens,
            long cacheWriteTokens, long cacheWrite1hTokens, long outputTokens, long reasoningTokens,
            boolean estimated, String cost, String priceStatus, long latencyNanos, String providerRequestId,
            boolean modelDowngraded, String producedBy, boolean fromFallback, long storedAtMillis,
            String baselineCost) {}

    static byte[] encode(CachedAnswer answer) {
        ChatResponse r = answer.response();
        Usage u = r.usage();
        List<String> text = r.message().content().stream()
                .map(p -> p instanceof ContentPart.Text t ? t.text() : "")
                .toList();
        List<StoredToolCall> calls = r.toolCalls().stream()
                .map(c -> new StoredToolCall(c.id(), c.name(), c.arguments())).toList();
        StoredAnswer stored = new StoredAnswer(VERSION, r.id(), r.requestedModel(), r.model(), r.provider(), text,
                calls, r.finishReason().name(), u.inputTokens(), u.cachedInputTokens(), u.cacheWriteTokens(),
                u.cacheWrite1hTokens(), u.outputTokens(), u.reasoningTokens(), u.estimated(),
                r.cost().toBigDecimal().toPlainString(), r.priceStatus().name(), r.latency().toNanos(),
                r.providerRequestId().orElse(null), r.modelDowngraded(), answer.producedBy(), answer.fromFallback(),
                answer.storedAt().toEpochMilli(), answer.baselineCost().toBigDecimal().toPlainString());
        try {
            return deflate(JSON.writeValueAsBytes(stored));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise a cached answer of model " + r.model(), e);
        }
    }

    /** @return the answer, or empty when the bytes are of another format version */
    static Optional<CachedAnswer> decode(byte[] bytes) {
        StoredAnswer s;
        try {
            s = JSON.readValue(inflate(bytes), StoredAnswer.class);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (s.v() != VERSION) {
            return Optional.empty();
        }
        List<ContentPart> content = s.text().stream().map(t -> (ContentPart) new ContentPart.Text(t)).toList();
        List<ToolCall> calls = s.toolCalls().stream().map(c -> new ToolCall(c.id(), c.name(), c.arguments()))
                .toList();
        Message message = new Message(Role.ASSISTANT, content, Optional.empty(), calls, Optional.empty());
        Usage usage = new Usage(s.inputTokens(), s.cachedInputTokens(), s.cacheWriteTokens(), s.cacheWrite1hTokens(),
                s.outputTokens(), s.reasoningTokens(), s.estimated());
        ChatResponse response = new ChatResponse(s.id(), s.requestedModel(), s.model(), s.provider(), message,
                FinishReason.valueOf(s.finishReason()), usage, Money.of(new BigDecimal(s.cost())),
                PriceStatus.valueOf(s.priceStatus()), Duration.ofNanos(s.latencyNanos()),
                Optional.ofNullable(s.providerRequestId()), s.modelDowngraded());
        // an entry written before baselines were stored is its own baseline, as it was then
        Money baseline = s.baselineCost() == null ? response.cost() : Money.of(new BigDecimal(s.baselineCost()));
        return Optional.of(new CachedAnswer(response, s.producedBy(), baseline, s.fromFallback(),
                Instant.ofEpochMilli(s.storedAtMillis())));
    }

    private static byte[] deflate(byte[] raw) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(raw);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, raw.length / 2));
            byte[] buffer = new byte[4096];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static byte[] inflate(byte[] compressed) throws IOException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed);
            ByteArrayOutputStream out = new ByteArrayOutputStream(compressed.length * 3);
            byte[] buffer = new byte[4096];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IOException("truncated cache entry");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IOException("corrupt cache entry", e);
        } finally {
            inflater.end();
        }
    }
}
