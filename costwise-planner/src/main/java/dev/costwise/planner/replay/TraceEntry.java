package dev.costwise.planner.replay;

import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Usage;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One usable line of a trace.
 *
 * @param line the 1-based line number
 * @param timestamp when it was sent, if logged
 * @param request the request
 * @param recorded the usage the provider reported, if logged
 */
public record TraceEntry(int line, Optional<Instant> timestamp, ChatRequest request, Optional<Usage> recorded) {
    public TraceEntry {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(recorded, "recorded");
    }
}
