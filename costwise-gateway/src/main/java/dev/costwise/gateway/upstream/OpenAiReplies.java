package dev.costwise.gateway.upstream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.UsageNormalizer;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.ProviderException.Details;
import dev.costwise.llm.provider.openai.OpenAiErrorMapper;
import dev.costwise.llm.provider.http.SecretRedactor;
import dev.costwise.llm.wire.WireError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads the parts of OpenAI's wire format the gateway needs: usage, and errors mapped to the typed
 * {@link ProviderException} tree.
 *
 * <p>See https://platform.openai.com/docs/guides/error-codes and
 * https://platform.openai.com/docs/api-reference/chat/object (usage with prompt_tokens_details.cached_tokens and
 * completion_tokens_details.reasoning_tokens), with OpenRouter's prompt_tokens_details.cache_write_tokens
 * and the cost it reports charging, usage.cost (https://openrouter.ai/docs/use-cases/usage-accounting), and DeepSeek's
 * prompt_cache_hit_tokens
 * (https://api-docs.deepseek.com/guides/kv_cache).
 */
public final class OpenAiReplies {
    private static final int MAX_MESSAGE = 300;
    /** A top-level count that was absent or not a number. */
    private static final long UNREAD = Long.MIN_VALUE;

    private OpenAiReplies() {}

    /**
     * Usage from a completion or a chunk's {@code usage} object.
     *
     * @param usage the {@code usage} node (may be missing)
     * @return the usage, or empty when the node has none or its counts cannot be trusted (see {@link
     *     #usage(JsonParser)})
     */
    public static Optional<Usage> usage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return Optional.empty();
        }
        try (JsonParser p = usage.traverse()) {
            p.nextToken();
            return usage(p);
        } catch (IOException e) {
            throw new UncheckedIOException("a JSON tree could not be walked", e);
        }
    }

    /**
     * Usage from a parser positioned on the {@code START_OBJECT} of a {@code usage} object, read as a stream (no
     * tree is built: the gateway reads this from every answer); leaves the parser on its {@code END_OBJECT}.
     *
     * <p>A usage that counts nothing readable (no {@code prompt_tokens} nor {@code completion_tokens} as numbers) or
     * a negative prompt or completion count is not a report the gateway can bill from: it is read as none, and the
     * caller bills its own estimate, as for an answer without usage. Billing it as read would make the call free.
     * The cost OpenRouter reports charging ({@code cost}, see {@link UsageNormalizer#fromOpenRouterCost}) is read
     * exactly, as written (or as a tree holds it), into {@link Usage#reportedCost()}; one that is not a
     * non-negative number is left out, and the call priced from the model's price.
     *
     * @param p the parser
     * @return the usage, with details that are missing or not numbers as 0; empty when it cannot be trusted
     * @throws IOException if the JSON is malformed
     */
    public static Optional<Usage> usage(JsonParser p) throws IOException {
        long in = UNREAD;
        long out = UNREAD;
        long[] prompt = {0, 0}; // cached_tokens, cache_write_tokens
        long deepSeekHits = 0;
        long reasoning = 0;
        Optional<BigDecimal> cost = Optional.empty();
        Optional<BigDecimal> upstreamCost = Optional.empty();
        boolean byok = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "cost" -> cost = amount(p, value);
                case "is_byok" -> byok = value == JsonToken.VALUE_TRUE;
                case "cost_details" -> upstreamCost = nestedAmount(p, value, "upstream_inference_cost");
                case "prompt_tokens" -> in = count(p, value, UNREAD);
                case "completion_tokens" -> out = count(p, value, UNREAD);
                case "prompt_tokens_details" -> prompt = nestedCounts(p, value, "cached_tokens", "cache_write_tokens");
                case "prompt_cache_hit_tokens" -> deepSeekHits = count(p, value);
                case "completion_tokens_details" -> reasoning = nestedCounts(p, value, "reasoning_tokens")[0];
                default -> p.skipChildren();
            }
        }
        if ((in == UNREAD && out == UNREAD) || negative(in) || negative(out)) {
            return Optional.empty();
        }
        in = Math.max(0, in);
        out = Math.max(0, out);
        long cached = Math.clamp(prompt[0] > 0 ? prompt[0] : deepSeekHits, 0, in);
        long writes = Math.clamp(prompt[1], 0, in - cached);
        reasoning = Math.clamp(reasoning, 0, out);
        Usage usage = new Usage(in, cached, writes, out, reasoning, false);
        Optional<Money> reported = cost.isEmpty() ? Optional.empty()
                : UsageNormalizer.fromOpenRouterCost(cost.get(), byok, upstreamCost);
        return Optional.of(reported.map(usage::withReportedCost).orElse(usage));
    }

    /** A non-negative amount of dollars, exactly as written; anything else is none. */
    private static Optional<BigDecimal> amount(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
            p.skipChildren();
            return Optional.empty();
        }
        BigDecimal amount = p.getDecimalValue();
        return amount.signum() < 0 ? Optional.empty() : Optional.of(amount);
    }

    /** The amount {@code field} of the object the parser is on (none when absent, or when it is not an object). */
    private static Optional<BigDecimal> nestedAmount(JsonParser p, JsonToken value, String field)
            throws IOException {
        BigDecimal[] found = {null};
        members(p, value, (name, v) -> {
            if (name.equals(field)) {
                found[0] = amount(p, v).orElse(null);
            } else {
                p.skipChildren();
            }
        });
        return Optional.ofNullable(found[0]);
    }

    private static boolean negative(long count) {
        return count < 0 && count != UNREAD;
    }

    /** The counts {@code fields} of the object the parser is on (0 when absent, or when it is not an object). */
    private static long[] nestedCounts(JsonParser p, JsonToken value, String... fields) throws IOException {
        long[] found = new long[fields.length];
        List<String> wanted = List.of(fields);
        members(p, value, (name, v) -> {
            int i = wanted.indexOf(name);
            if (i >= 0) {
                found[i] = count(p, v);
            } else {
                p.skipChildren();
            }
        });
        return found;
    }

    /** Reads each member of the object the parser is on with {@code member}; a value that is no object is skipped. */
    private static void members(JsonParser p, JsonToken value, Member member) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            member.read(name, p.nextToken());
        }
    }

    /** Reads one member of an object: the parser is on its value, and is left on the value's last token. */
    @FunctionalInterface
    private interface Member {
        void read(String name, JsonToken value) throws IOException;
    }

    /** A token count: an integer, a decimal (truncated) or a numeric string; anything else is 0. */
    private static long count(JsonParser p, JsonToken value) throws IOException {
        return count(p, value, 0);
    }

    /** A token count, or {@code otherwise} when the value is not one. */
    private static long count(JsonParser p, JsonToken value, long otherwise) throws IOException {
        return switch (value) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue().longValue();
            case VALUE_STRING -> {
                try {
                    yield (long) Double.parseDouble(p.getText().trim());
                } catch (NumberFormatException e) {
                    yield otherwise;
                }
            }
            default -> {
                p.skipChildren();
                yield otherwise;
            }
        };
    }

    /**
     * Maps an error answer to the typed tree as the library's OpenAI-compatible adapter does ({@link
     * OpenAiErrorMapper#map}): among others, a 400 or 422 saying the prompt is too long, and any 413, is a
     * {@link ProviderException.ContextLengthExceeded}, which the pipeline's {@code context_window_fallback} takes.
     *
     * @param model the configured model that answered; its API key is removed from the message wherever it appears
     * @param status HTTP status
     * @param body the parsed error body, or a missing node
     * @param retryAfter the {@code Retry-After} (or {@code retry-after-ms}) the provider sent
     * @param requestId the provider's request id
     * @return the exception to throw
     */
    public static ProviderException error(GatewayConfig.Model model, int status, JsonNode body,
            Optional<Duration> retryAfter, Optional<String> requestId) {
        Details d = new Details(model.provider(), model.name(), OptionalInt.of(status), requestId);
        JsonNode err = body.path("error");
        String message = message(err, model);
        WireError wire = new WireError(message, text(err.get("type")), text(err.get("param")), text(err.get("code")),
                Optional.ofNullable(err.get("metadata")).filter(m -> !m.isNull()));
        return OpenAiErrorMapper.map(d, status, Optional.of(wire), message, retryAfter, Duration.ZERO,
                Optional.empty());
    }

    /**
     * Whether an answer's top-level {@code error} member reports a failure: an object (OpenAI's shape, OpenRouter's
     * with a numeric {@code code}) or a text (Hugging Face's TGI). A {@code null} or absent one is no failure.
     *
     * @param error the answer's {@code error} member (may be {@code null})
     * @return {@code true} if the answer is a failure, whatever its HTTP status
     */
    public static boolean reportsFailure(JsonNode error) {
        return error != null && (error.isObject() || error.isTextual());
    }

    /**
     * The error a stream event reports, whatever the server's shape, in OpenAI's: a top-level {@code error} object
     * (OpenAI's, OpenRouter's; Hugging Face TGI's {@code {"message": ..., "http_status_code": 422}} with that status
     * as its code), a text (TGI's, with its {@code error_type} as its type: {@code {"error": "Input validation
     * error: ...", "error_type": "validation"}}), or vLLM's error object, which is the event itself ({@code
     * {"object": "error", "message": ..., "type": "BadRequestError", "code": 400}},
     * https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html): never a chunk to relay.
     *
     * @param event one parsed {@code data:} event
     * @return the error, to map with {@link #errorInAnswer}; empty when the event reports none
     */
    public static Optional<JsonNode> errorIn(JsonNode event) {
        JsonNode error = event.get("error");
        if (error != null && error.isTextual()) {
            ObjectNode e = JsonNodeFactory.instance.objectNode().put("message", error.asText());
            return Optional.of(e.set("type", event.get("error_type")));
        }
        if (error != null && error.isObject() && !error.has("code") && error.has("http_status_code")) {
            ObjectNode e = error.deepCopy();
            return Optional.of(e.set("code", error.get("http_status_code")));
        }
        if (error != null && error.isObject()) {
            return Optional.of(error);
        }
        if ("error".equals(event.path("object").asText()) && event.has("message")) {
            return Optional.of(event);
        }
        return Optional.empty();
    }

    /**
     * Maps an error a provider sent inside an answer whose HTTP status was a success: a 200 body or a stream event
     * (OpenRouter reports a failure after it has answered 200 that way,
     * https://openrouter.ai/docs/api-reference/errors).
     * It is mapped as an HTTP error of its own {@code code} when that is one (OpenRouter's 429, 502...), or of what
     * a known code or type stands for ({@link OpenAiErrorMapper#statusOf}), else as a server error; its message
     * names the code, and no HTTP status, since none was sent.
     *
     * @param model the configured model that answered; its API key is removed from the message wherever it appears
     * @param error the answer's {@code error} member, one that {@link #reportsFailure reports a failure}
     * @param retryAfter the wait the answer's headers asked for
     * @param requestId the provider's request id
     * @return the exception to throw
     */
    public static ProviderException errorInAnswer(GatewayConfig.Model model, JsonNode error,
            Optional<Duration> retryAfter, Optional<String> requestId) {
        Optional<String> code = text(error.get("code"));
        int status = OpenAiErrorMapper.statusOf(new WireError("", text(error.get("type")), Optional.empty(), code,
                Optional.empty()));
        Details d = new Details(model.provider(), model.name(), OptionalInt.empty(), requestId);
        String message = message(error, model) + code.map(c -> " (error code " + c + ")").orElse("");
        return map(d, status, error, message, retryAfter);
    }

    private static String message(JsonNode err, GatewayConfig.Model model) {
        return redact(err.path("message").asText(err.isTextual() ? err.asText() : "no error message"),
                model.apiKey());
    }

    private static Optional<String> text(JsonNode node) {
        return node != null && node.isValueNode() && !node.isNull() ? Optional.of(node.asText()) : Optional.empty();
    }

    /**
     * The exception an error inside an answer stands for, {@code status} being what its code stands for: mapped here,
     * not by {@link OpenAiErrorMapper#map}, which would give it an HTTP status the provider never sent.
     */
    private static ProviderException map(Details details, int status, JsonNode err, String message,
            Optional<Duration> retryAfter) {
        Details d = details.withProviderError(text(err.get("param")), text(err.get("code")));
        String code = err.path("code").asText("");
        String type = err.path("type").asText("");
        if ((status == 400 || status == 422) && OpenAiErrorMapper.isContextLength(code, message)) {
            return new ProviderException.ContextLengthExceeded(d, message);
        }
        if (status == 400 && code.equals("content_filter")) {
            return new ProviderException.ContentFiltered(d, message);
        }
        return switch (status) {
            case 400, 409, 422 -> new ProviderException.InvalidRequest(d, message);
            case 401 -> new ProviderException.AuthenticationFailed(d, message);
            case 402 -> new ProviderException.QuotaExhausted(d, message);
            case 403 -> new ProviderException.PermissionDenied(d, message);
            case 404 -> new ProviderException.NotFound(d, message);
            case 408 -> new ProviderException.ProviderTimeout(d, "provider request timeout", Duration.ZERO);
            case 429 -> code.equals("insufficient_quota") || type.equals("insufficient_quota")
                    ? new ProviderException.QuotaExhausted(d, message)
                    : new ProviderException.RateLimited(d, message, retryAfter);
            case 503, 529 -> new ProviderException.Overloaded(d, message, retryAfter);
            case 504 -> new ProviderException.ProviderTimeout(d, "gateway timeout upstream", Duration.ZERO);
            default -> status >= 500 ? new ProviderException.ServerError(d, message)
                    : new ProviderException.InvalidRequest(d, message);
        };
    }

    /**
     * Parses {@code Retry-After} (seconds or an HTTP date is not supported: seconds only) or {@code retry-after-ms}.
     *
     * @param seconds the Retry-After value, if sent
     * @param millis the retry-after-ms value, if sent
     * @return the wait
     */
    public static Optional<Duration> retryAfter(Optional<String> seconds, Optional<String> millis) {
        try {
            if (millis.isPresent()) {
                return Optional.of(Duration.ofMillis((long) Double.parseDouble(millis.get().trim())));
            }
            if (seconds.isPresent()) {
                return Optional.of(Duration.ofMillis((long) (Double.parseDouble(seconds.get().trim()) * 1000)));
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * @param text a provider's error message
     * @param apiKey the key the gateway sent, which a provider may quote whatever its format
     * @return {@code text} with the key and anything that looks like an API key masked, at most 300 characters
     */
    static String redact(String text, Optional<String> apiKey) {
        String s = SecretRedactor.redact(text, apiKey);
        return s.length() > MAX_MESSAGE ? s.substring(0, MAX_MESSAGE) + "…" : s;
    }
}
