package dev.costwise.planner.replay;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.ModelKind;
import dev.costwise.llm.catalog.UnknownModelException;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.PromptTokens;
import dev.costwise.llm.wire.WireFormatException;
import dev.costwise.planner.FileErrors;
import dev.costwise.planner.engine.PromptText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a request log in JSON Lines with the OpenAI wire codec ({@link OpenAiWire}): each line one OpenAI chat request,
 * or a wrapper {@code {"timestamp": "2026-11-27T08:00:00Z", "request": {...}, "usage": {"prompt_tokens": n,
 * "completion_tokens": m}, "service_tier": "flex"}} (the tier the answer reported, if it named one). Blank lines are
 * skipped silently, as is a byte order mark opening the file; a bad line (malformed JSON, no messages, a model the
 * catalog does not know, bad usage) is kept as a {@link TraceError} with its line number and reason, and reading goes
 * on.
 */
public final class TraceReader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OpenAiWire WIRE = new OpenAiWire();
    private static final String BOM = "\uFEFF";

    private final ModelCatalog catalog;

    /**
     * @param catalog the catalog requested models must be in
     */
    public TraceReader(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * Reads a whole trace.
     *
     * @param trace the file
     * @return the entries and the bad lines
     * @throws UncheckedIOException if the file cannot be read
     */
    public Trace read(Path trace) {
        try (BufferedReader in = Files.newBufferedReader(trace, StandardCharsets.UTF_8)) {
            return read(in.lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read trace " + trace + ": " + FileErrors.reason(e), e);
        } catch (UncheckedIOException e) { // what reading the lines throws (a directory: "Is a directory")
            throw new UncheckedIOException("cannot read trace " + trace + ": " + FileErrors.reason(e.getCause()),
                    e.getCause());
        }
    }

    /**
     * Reads trace lines.
     *
     * @param lines the lines
     * @return the entries and the bad lines
     */
    public Trace read(List<String> lines) {
        List<TraceEntry> entries = new ArrayList<>();
        List<TraceError> errors = new ArrayList<>();
        int nonBlank = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i == 0 && line.startsWith(BOM)) { // a UTF-8 byte order mark, as some editors and exports write
                line = line.substring(BOM.length());
            }
            if (line.isBlank()) {
                continue;
            }
            nonBlank++;
            try {
                entries.add(entry(i + 1, line));
            } catch (BadLineException e) {
                errors.add(new TraceError(i + 1, e.getMessage()));
            }
        }
        return new Trace(nonBlank, entries, errors);
    }

    private TraceEntry entry(int lineNo, String line) {
        JsonNode node = json(line);
        if (node == null || !node.isObject()) {
            throw new BadLineException("expected a JSON object, was " + abbreviate(line));
        }
        JsonNode body = node.has("request") ? node.get("request") : node;
        ChatRequest request;
        try {
            request = WIRE.readRequest(body).chat();
        } catch (WireFormatException e) {
            throw new BadLineException("not an OpenAI chat request: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new BadLineException("invalid request: " + e.getMessage());
        }
        ModelInfo model;
        try {
            model = catalog.require(request.model());
        } catch (UnknownModelException e) {
            throw new BadLineException("unknown model: " + e.getMessage());
        }
        if (model.kind() != ModelKind.CHAT) {
            throw new BadLineException("'" + request.model()
                    + "' is an embedding model, which answers no chat request");
        }
        Optional<Instant> timestamp = Optional.empty();
        if (node.hasNonNull("timestamp")) {
            try {
                timestamp = Optional.of(Instant.parse(node.get("timestamp").asText()));
            } catch (DateTimeParseException e) {
                throw new BadLineException("timestamp is not ISO-8601 (such as 2026-11-27T08:00:00Z): '"
                        + node.get("timestamp").asText() + "'");
            }
        }
        Optional<Usage> usage = Optional.empty();
        if (node.hasNonNull("usage")) {
            JsonNode u = node.get("usage");
            if (!u.has("prompt_tokens") || !u.has("completion_tokens")) {
                throw new BadLineException("usage needs prompt_tokens and completion_tokens as whole numbers >= 0,"
                        + " was " + abbreviate(u.toString()));
            }
            long prompt = tokens(u.get("prompt_tokens"), "usage.prompt_tokens");
            tokens(u.get("completion_tokens"), "usage.completion_tokens");
            long cached = optionalTokens(u.path("prompt_tokens_details").path("cached_tokens"),
                    "usage.prompt_tokens_details.cached_tokens");
            long writes = optionalTokens(u.path("prompt_tokens_details").path("cache_write_tokens"),
                    "usage.prompt_tokens_details.cache_write_tokens");
            if (cached + writes > prompt) { // the cache's reads and writes are part of the prompt
                throw new BadLineException("usage.prompt_tokens_details: cached_tokens (" + cached + ") plus"
                        + " cache_write_tokens (" + writes + ") exceed usage.prompt_tokens (" + prompt + ")");
            }
            // billed on the tier the answer ran on: the wrapper's service_tier (as the answer reported it), else the
            // tier the request asked for
            ServiceTier tier = node.hasNonNull("service_tier") ? OpenAiWire.readServedTier(node)
                    : request.serviceTier().orElse(ServiceTier.STANDARD);
            // read as the gateway reads an answer's usage: prompt-cache writes, DeepSeek's cache hits, reasoning
            try {
                usage = WIRE.readUsage(u).map(x -> x.withServiceTier(tier));
            } catch (WireFormatException e) {
                throw new BadLineException("bad usage: " + e.getMessage());
            }
        }
        return new TraceEntry(lineNo, timestamp, request, usage, PromptTokens.estimate(body), PromptText.of(body));
    }

    /**
     * @return the line's one JSON value; a second value or anything else after it (two objects glued together by a
     *     logger that missed a newline) is refused, not dropped
     */
    private static JsonNode json(String line) {
        try (JsonParser parser = JSON.createParser(line)) {
            JsonNode node = JSON.readTree(parser);
            long end = parser.currentLocation().getCharOffset();
            boolean trailing;
            try {
                trailing = parser.nextToken() != null;
            } catch (JsonProcessingException e) {
                trailing = true;
            }
            if (trailing) {
                throw new BadLineException("malformed JSON: trailing content after the JSON value (from column "
                        + (end + 1) + ": " + abbreviate(line.substring((int) Math.min(end, line.length())).strip())
                        + "); one request per line");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new BadLineException("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a String is not read from a device
        }
    }

    /** A token count: a whole number >= 0 written as one (1.5, 1.0, 1e3 and "12" are refused, not truncated). */
    private static long tokens(JsonNode n, String field) {
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
            throw new BadLineException(field + " must be a whole number >= 0, was " + abbreviate(n.toString()));
        }
        return n.longValue();
    }

    /** A token count that may be left out (or null): 0 then. */
    private static long optionalTokens(JsonNode n, String field) {
        return n.isMissingNode() || n.isNull() ? 0 : tokens(n, field);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /**
     * A read trace.
     *
     * @param lines non-blank lines read
     * @param entries the usable lines
     * @param errors the skipped lines
     */
    public record Trace(int lines, List<TraceEntry> entries, List<TraceError> errors) {
        public Trace {
            entries = List.copyOf(entries);
            errors = List.copyOf(errors);
        }
    }
}
