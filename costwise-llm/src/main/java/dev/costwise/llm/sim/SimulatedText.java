package dev.costwise.llm.sim;

import dev.costwise.llm.chat.ChatRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic simulated answers: the same request always gets the same words. */
final class SimulatedText {

    private static final String[] WORDS = {"the", "model", "answer", "cost", "token", "request", "cache", "route",
        "budget", "fallback", "retry", "latency", "provider", "value", "result", "data", "plan", "step", "check",
        "output", "input", "simple", "clear", "fast", "cheap", "good", "and", "of", "to", "in", "is", "for", "with",
        "on", "this", "that", "we", "can", "will", "use", "more", "less", "each", "one", "two", "three", "first",
        "next", "then", "so", "it", "a", "an", "as", "by", "from", "at", "be", "are", "was", "has", "not", "all",
        "any"};

    private SimulatedText() {}

    /**
     * A stable 64-bit hash of everything in the request that changes an answer (messages, tools, format, sampling,
     * limits, stop, seed); the user id and metadata are left out.
     */
    static long requestHash(ChatRequest r) {
        String canonical = String.join("\u0000", String.valueOf(r.messages()), String.valueOf(r.tools()),
                String.valueOf(r.toolChoice()), String.valueOf(r.responseFormat()), String.valueOf(r.temperature()),
                String.valueOf(r.topP()), String.valueOf(r.maxTokens()), String.valueOf(r.stop()),
                String.valueOf(r.seed()));
        byte[] digest = sha256(canonical);
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (digest[i] & 0xff);
        }
        return h;
    }

    /** The words of an answer: {@code count} words drawn from a generator seeded by {@code seed}. */
    static List<String> words(long seed, long count) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> words = new ArrayList<>((int) Math.min(count, 1 << 16));
        for (long i = 0; i < count; i++) {
            words.add(WORDS[random.nextInt(WORDS.length)]);
        }
        return words;
    }

    static String hex(long value) {
        return HexFormat.of().toHexDigits(value);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required on every JVM", e);
        }
    }
}
