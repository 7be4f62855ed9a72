package dev.costwise.planner.replay;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.cache.RequestBodyKey;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.ModelKind;
import dev.costwise.llm.catalog.UnknownModelException;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.wire.OpenAiWire;
import dev.costwise.llm.wire.PromptTokens;
import dev.costwise.llm.wire.ReasoningBodyCap;
import dev.costwise.llm.wire.WireFormatException;
import dev.costwise.planner.FileErrors;
import dev.costwise.planner.engine.PromptText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;

/**
 * Reads a request log in JSON Lines with the OpenAI wire codec ({@link OpenAiWire}): each line one OpenAI chat request,
 * or a wrapper {@code {"timestamp": "2026-11-27T08:00:00Z", "request": {...}, "usage": {"prompt_tokens": n,
 * "completion_tokens": m}, "service_tier": "flex", "key": "team-a"}} (the tier the answer reported, if it named one;
 * the id of the virtual key the request came with, if it came with one). Blank lines are
 * skipped silently, as is a byte order mark opening the file; a bad line (bytes that are not UTF-8, malformed JSON, no
 * messages, a model the
 * catalog does not know, bad usage) is kept as a {@link TraceError} with its line number and reason, and reading goes
 * on.
 */
public final class TraceReader {

    /** Parses lines as the gateway parses a request body, so a cache key hashes what the gateway's would. */
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RequestBodyKey BODY_KEY = new RequestBodyKey(JSON);
    private static final OpenAiWire WIRE = new OpenAiWire();
    private static final String BOM = "\uFEFF";

    private final ModelCatalog catalog;
    private final Optional<ReasoningEffort> maxReasoningEffort;

    /**
     * A reader for a pipeline that caps no reasoning.
     *
     * @param catalog the catalog requested models must be in
     */
    public TraceReader(ModelCatalog catalog) {
        this(catalog, Optional.empty());
    }

    /**
     * @param catalog the catalog requested models must be in
     * @param maxReasoningEffort the replayed pipeline's {@code max_reasoning_effort}, if it has one: each request's
     *     reasoning is lowered to it before its cache key is taken, as the gateway keys it
     */
    public TraceReader(ModelCatalog catalog, Optional<ReasoningEffort> maxReasoningEffort) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.maxReasoningEffort = Objects.requireNonNull(maxReasoningEffort, "maxReasoningEffort");
    }

    /**
     * Reads a whole trace into memory: for tests and small traces. A replay streams its trace instead
     * ({@link #scan}, {@link #forEachEntry}), holding one line at a time.
     *
     * @param trace the file
     * @return the entries and the bad lines
     * @throws UncheckedIOException if the file cannot be read
     */
    public Trace read(Path trace) {
        return collect(handler -> each(TraceSource.of(trace), handler));
    }

    /**
     * Reads trace lines.
     *
     * @param lines the lines
     * @return the entries and the bad lines
     */
    public Trace read(List<String> lines) {
        return collect(handler -> each(lines.iterator(), handler));
    }

    /** @return every entry and bad line {@code reading} hands its handler */
    private Trace collect(ToLongFunction<LineHandler> reading) {
        List<TraceEntry> entries = new ArrayList<>();
        List<TraceError> errors = new ArrayList<>();
        long nonBlank = reading.applyAsLong((n, line) -> {
            try {
                entries.add(entry(n, line));
            } catch (BadLineException e) {
                errors.add(new TraceError(n, e.getMessage()));
            }
        });
        return new Trace(Math.toIntExact(nonBlank), entries, errors);
    }

    /**
     * A replay's first pass: checks every line as {@link #forEachEntry} reads it, keeping only counts, the earliest
     * and latest timestamps and the first bad lines ({@link TraceScan#MAX_KEPT_ERRORS}). Holds one line at a time.
     *
     * @param source the trace
     * @return what the pass found
     * @throws UncheckedIOException if the trace cannot be read
     */
    public TraceScan scan(TraceSource source) {
        TraceScan.Tally tally = new TraceScan.Tally();
        long lines = each(source, (n, line) -> {
            try {
                tally.entry(parse(line).timestamp());
            } catch (BadLineException e) {
                tally.error(new TraceError(n, e.getMessage()));
            }
        });
        return tally.scan(lines);
    }

    /**
     * Reads the trace one line at a time, handing each usable line to {@code entries} before the next is read; bad
     * lines are skipped ({@link #scan} reports them).
     *
     * @param source the trace
     * @param entries hears each usable line, in order
     * @return the non-blank lines read
     * @throws UncheckedIOException if the trace cannot be read
     */
    public long forEachEntry(TraceSource source, Consumer<TraceEntry> entries) {
        return each(source, (n, line) -> {
            TraceEntry e;
            try {
                e = entry(n, line);
            } catch (BadLineException bad) {
                return;
            }
            entries.accept(e);
        });
    }

    /** Hears one non-blank line and its 1-based number. */
    @FunctionalInterface
    private interface LineHandler {
        void line(int number, String text);
    }

    private static long each(TraceSource source, LineHandler handler) {
        try (BufferedReader in = source.open()) {
            Iterator<String> lines = in.lines().iterator();
            // what reading a line throws (a directory: "Is a directory"), told apart from what the handler throws
            Iterator<String> reading = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return readingLines(lines::hasNext);
                }

                @Override
                public String next() {
                    return readingLines(lines::next);
                }
            };
            return each(reading, handler);
        } catch (IOException e) {
            throw cannotRead(source, e);
        } catch (ReadFailure e) {
            throw cannotRead(source, e.getCause());
        }
    }

    /** @return what {@code read} returns; a line that cannot be read is a {@link ReadFailure} */
    private static <T> T readingLines(Supplier<T> read) {
        try {
            return read.get();
        } catch (UncheckedIOException e) {
            throw new ReadFailure(e.getCause());
        }
    }

    private static UncheckedIOException cannotRead(TraceSource source, IOException e) {
        return new UncheckedIOException("cannot read trace " + source.describe() + ": " + FileErrors.reason(e), e);
    }

    /** A line that could not be read. */
    private static final class ReadFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReadFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /** Hands each non-blank line to {@code handler}; @return how many there were */
    private static long each(Iterator<String> lines, LineHandler handler) {
        long nonBlank = 0;
        for (int i = 0; lines.hasNext(); i++) {
            String line = lines.next();
            if (i == 0 && line.startsWith(BOM)) { // a UTF-8 byte order mark, as some editors and exports write
                line = line.substring(BOM.length());
            }
            if (line.isBlank()) {
                continue;
            }
            nonBlank++;
            handler.line(i + 1, line);
        }
        return nonBlank;
    }

    private TraceEntry entry(int lineNo, String line) {
        Parsed p = parse(line);
        PromptText text = PromptText.of(p.body()); // its text once, for the estimate too
        return new TraceEntry(lineNo, p.timestamp(), p.request(), p.usage(), PromptTokens.estimate(p.body(),
                text.all()), text, p.key(), cacheKey(p.body()), p.choices());
    }

    /**
     * The gateway's response-cache key of a request ({@link RequestBodyKey}): its JSON as written, so that two lines
     * the gateway answers from one entry share a key, and no others. Every line is replayed through one pipeline, as
     * if sent under its name, so the model a line names is left out, as the gateway's key of those requests would
     * not tell them apart by it; and its reasoning is first lowered to the pipeline's cap ({@link ReasoningBodyCap}),
     * as the gateway lowers it before keying.
     *
     * @param body the request's JSON, as the trace line holds it; not changed
     * @return its key
     */
    private String cacheKey(JsonNode body) {
        ObjectNode keyed = (ObjectNode) body;
        if (maxReasoningEffort.isPresent() && ReasoningBodyCap.mayLower(keyed)) {
            keyed = keyed.deepCopy();
            ReasoningBodyCap.cap(keyed, maxReasoningEffort.get());
        }
        return BODY_KEY.digest(keyed, "model");
    }

    /** A line read and checked, before the gateway's estimates of its prompt (which a first pass does not need). */
    private record Parsed(JsonNode body, ChatRequest request, long choices, Optional<Instant> timestamp,
            Optional<Usage> usage, Optional<String> key) {}

    /** @throws BadLineException if the line is not a usable request */
    private Parsed parse(String line) {
        int notUtf8 = line.indexOf(TraceSource.NOT_UTF8);
        if (notUtf8 >= 0) {
            throw new BadLineException("not valid UTF-8 (at character " + (notUtf8 + 1) + "): save the trace as"
                    + " UTF-8");
        }
        JsonNode node = json(line);
        if (node == null || !node.isObject()) {
            throw new BadLineException("expected a JSON object, was " + abbreviate(line));
        }
        JsonNode body = node.has("request") ? node.get("request") : node;
        long choices = choices(body);
        ChatRequest request;
        try {
            // the library's request holds one answer; the gateway passes n through and bills every choice
            request = WIRE.readRequest(choices == 1 || !body.isObject() ? body : withoutN(body)).chat();
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
        // a wrapper's field: a bare request's own fields are the request's
        return new Parsed(body, request, choices, timestamp, usage, node.has("request") ? key(node)
                : Optional.empty());
    }

    /** @return the answers the request asks for, its {@code n}, checked as the gateway checks it; 1 without one */
    private static long choices(JsonNode body) {
        JsonNode n = body.path("n");
        if (n.isMissingNode() || n.isNull()) {
            return 1;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 1) {
            throw new BadLineException("not an OpenAI chat request: n: expected a whole number >= 1, was "
                    + abbreviate(n.toString()));
        }
        return n.asLong();
    }

    private static JsonNode withoutN(JsonNode body) {
        ObjectNode copy = ((ObjectNode) body).deepCopy();
        copy.remove("n");
        return copy;
    }

    /** @return the wrapper's {@code key}, the id of the virtual key the request came with; empty names none */
    private static Optional<String> key(JsonNode node) {
        JsonNode key = node.path("key");
        if (key.isMissingNode() || key.isNull()) {
            return Optional.empty();
        }
        if (!key.isTextual()) {
            throw new BadLineException("key must be the id of the virtual key the request came with (text), was "
                    + abbreviate(key.toString()));
        }
        return Optional.of(key.asText()).filter(k -> !k.isEmpty());
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
        } catch (StreamConstraintsException e) {
            throw new BadLineException("too large to read: " + overLimit(e));
        } catch (JsonProcessingException e) {
            throw new BadLineException("malformed JSON: " + readable(e));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a String is not read from a device
        }
    }

    /** Where the JSON reader names where an object or array starts: {@code (start marker at [Source: ...])}. */
    private static final Pattern START_MARKER = Pattern.compile(
            "\\s*\\(start marker at \\[Source: .*?; line: \\d+, column: (\\d+)]\\)");

    /**
     * @return the JSON reader's message without its internals (where it would name the source, a location in its own
     *     words), with the column the problem is at
     */
    private static String readable(JsonProcessingException e) {
        String message = START_MARKER.matcher(e.getOriginalMessage()).replaceAll(" (opened at column $1)");
        return e.getLocation() == null || e.getLocation().getColumnNr() < 1 ? message
                : message + ", at column " + e.getLocation().getColumnNr();
    }

    /** @return which of the JSON reader's limits a line is over, in words (not the reader's settings' names) */
    private static String overLimit(StreamConstraintsException e) {
        StreamReadConstraints limits = JSON.getFactory().streamReadConstraints();
        String m = e.getOriginalMessage();
        if (m.startsWith("String value length")) {
            return "a string on it is longer than the " + String.format(Locale.ROOT, "%,d",
                    limits.getMaxStringLength()) + " characters the reader takes";
        }
        if (m.startsWith("Number value length")) {
            return "a number on it is longer than " + limits.getMaxNumberLength() + " digits";
        }
        if (m.startsWith("Document nesting depth")) {
            return "it nests objects and arrays deeper than " + limits.getMaxNestingDepth() + " levels";
        }
        return m.replaceAll(",? from `[^`]*`", "");
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
