package dev.costwise.gateway.upstream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.http.ResponseTooLargeException;
import io.helidon.common.buffers.DataReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The failure of an embeddings answer larger than the gateway reads ({@code server.max_answer_size}): the batch's
 * vectors do not fit, and the same batch would get the same answer, so the failure is the request's own
 * ({@link ProviderException.AnswerTooLarge}: no retry, no fallback, no circuit failure) and names the batch size that
 * fits. The provider billed the call: the rest of the answer is skimmed, keeping only its end, where OpenAI puts
 * {@code usage} after the vectors, so the failure carries what was billed when it can be read. Stateless.
 */
final class OversizedEmbeddings {
    /** The end of the answer kept while the rest is skimmed: its {@code model} and {@code usage}. */
    private static final int TAIL = 4 * 1024;
    /**
     * How much of an answer is skimmed at most for its usage: OpenAI's largest batch (2048 inputs × 3072 dimensions,
     * as JSON numbers) is about 130 MB. The call's deadline, which closes the connection, bounds it as well.
     */
    private static final long MAX_SKIMMED = 256L * 1024 * 1024;
    private static final byte[] USAGE = "\"usage\"".getBytes(StandardCharsets.US_ASCII);
    private static final long MB = 1024L * 1024;

    private OversizedEmbeddings() {}

    /**
     * @param call the embeddings call
     * @param details the answer's status and request id
     * @param rest the answer's body, past the bytes already read
     * @param read how many bytes of it were read before it was found too large
     * @param declared its {@code Content-Length}, if it had one
     * @param limit the largest answer read
     * @param json reads the usage
     * @param cause the reader's refusal
     * @return the failure to throw, with the provider's usage when it could be read
     */
    static ProviderException failure(Upstream.Call call, ProviderException.Details details, InputStream rest,
            long read, OptionalLong declared, long limit, ObjectMapper json, ResponseTooLargeException cause) {
        Skimmed skimmed = skim(rest);
        OptionalLong size = declared.isPresent() ? declared
                : skimmed.whole() ? OptionalLong.of(read + skimmed.bytes()) : OptionalLong.empty();
        Optional<Usage> usage = skimmed.whole() ? usage(skimmed.tail(), json) : Optional.empty();
        return new ProviderException.AnswerTooLarge(details, message(call.body(), size, limit), cause)
                .withBilledUsage(usage);
    }

    /** Names the batch and the size that fits; the parameters that shrink each vector follow. */
    private static String message(JsonNode body, OptionalLong size, long limit) {
        long inputs = inputs(body.path("input"));
        String smaller = "fewer dimensions" + ("base64".equals(body.path("encoding_format").asText())
                ? "" : ", or encoding_format base64, which is smaller than JSON numbers");
        String over = size.isPresent() ? " is " + megabytes(size.getAsLong()) + ", larger than " : " is larger than ";
        String fits = size.isPresent()
                ? String.format(Locale.ROOT, "send at most about %,d inputs a request",
                        Math.max(1, inputs * limit / size.getAsLong()))
                : "split the batch";
        return String.format(Locale.ROOT, "the answer to this batch of %,d input%s", inputs, inputs == 1 ? "" : "s")
                + over + "the gateway's " + megabytes(limit) + " limit on answers (server.max_answer_size): " + fits
                + " (or ask for " + smaller + ")";
    }

    /** @return the inputs of OpenAI's four forms: a string, or a token array, is one; an array of either, each */
    private static long inputs(JsonNode input) {
        return input.isArray() && !input.isEmpty() && !input.get(0).isNumber() ? input.size() : 1;
    }

    /** @return {@code 16 MB} for a whole number of MiB, else to a tenth of one */
    static String megabytes(long bytes) {
        return bytes % MB == 0 ? bytes / MB + " MB" : String.format(Locale.ROOT, "%.1f MB", (double) bytes / MB);
    }

    /**
     * What was read of the rest of an answer.
     *
     * @param bytes how many bytes
     * @param whole whether it was read to its end
     * @param tail its last bytes
     */
    private record Skimmed(long bytes, boolean whole, byte[] tail) {}

    /** Reads the rest of the answer, holding only its last {@value #TAIL} bytes. */
    private static Skimmed skim(InputStream rest) {
        byte[] buffer = new byte[64 * 1024];
        byte[] tail = new byte[TAIL];
        int kept = 0;
        long total = 0;
        try {
            for (int n; (n = rest.read(buffer)) >= 0; ) {
                total += n;
                int fromOld = Math.min(kept, TAIL - Math.min(n, TAIL));
                System.arraycopy(tail, kept - fromOld, tail, 0, fromOld);
                int fromNew = Math.min(n, TAIL);
                System.arraycopy(buffer, n - fromNew, tail, fromOld, fromNew);
                kept = fromOld + fromNew;
                if (total > MAX_SKIMMED) {
                    return new Skimmed(total, false, new byte[0]);
                }
            }
        } catch (IOException | UncheckedIOException | DataReader.InsufficientDataAvailableException
                | IllegalStateException e) {
            // cut short (the deadline closed the connection, or the upstream did): no usage to read
            return new Skimmed(total, false, new byte[0]);
        }
        return new Skimmed(total, true, java.util.Arrays.copyOf(tail, kept));
    }

    /** @return the usage object that ends the answer, if its tail holds one the gateway can bill from */
    private static Optional<Usage> usage(byte[] tail, ObjectMapper json) {
        int at = lastIndexOf(tail, USAGE);
        if (at < 0) {
            return Optional.empty();
        }
        int from = at + USAGE.length;
        while (from < tail.length && tail[from] != '{') {
            if (tail[from] != ':' && !Character.isWhitespace(tail[from])) {
                return Optional.empty();
            }
            from++;
        }
        try (JsonParser p = json.getFactory().createParser(tail, from, tail.length - from)) {
            return p.nextToken() == JsonToken.START_OBJECT ? OpenAiReplies.usage(p) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // not a usage object after all
        }
    }

    private static int lastIndexOf(byte[] bytes, byte[] part) {
        for (int i = bytes.length - part.length; i >= 0; i--) {
            if (java.util.Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        return -1;
    }
}
