package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.http.GatewayException;
import dev.costwise.llm.provider.ProviderException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a shared cache fill that failed upstream is told, through Redis, to the requests on every replica that waited for
 * it: they answer with its failure instead of each running the same retries against the same failing provider (four
 * identical requests on two replicas made ten calls where one replica makes six). Only a provider's transient failure
 * (server error, overload, rate limit, timeout, connection) after the fill's retries is shared, and only its last
 * cause: the provider's own error for the identical request, never the holder's budgets or other candidates. Another
 * failure is not shared: each waiter then calls upstream itself, as a waiter of the in-process single flight does.
 */
final class SharedFillFailure {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a waiter's own error says before the provider's failure. */
    static final String WAITED = "the identical request this one waited for failed upstream just now, after its "
            + "retries";

    private SharedFillFailure() {}

    /** @return the failure as a mark stores it; empty when it is not shared */
    static Optional<byte[]> encode(GatewayException.UpstreamFailed failure) {
        Optional<ProviderException> last = failure.last();
        if (last.isEmpty() || !last.get().isTransient() || failure.outOfTime().isPresent()) {
            return Optional.empty();
        }
        ProviderException p = last.get();
        ObjectNode mark = JSON.createObjectNode().put("kind", p.kind()).put("provider", p.provider())
                .put("model", p.model()).put("message", p.getMessage());
        p.status().ifPresent(s -> mark.put("status", s));
        p.retryAfter().ifPresent(d -> mark.put("retry_after_ms", d.toMillis()));
        if (p instanceof ProviderException.ProviderTimeout t) {
            mark.put("timeout_ms", t.timeout().toMillis());
        }
        return Optional.of(mark.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** @return the waiter's own failure; empty for a mark it cannot read (the waiter then calls upstream itself) */
    static Optional<GatewayException.UpstreamFailed> decode(byte[] mark) {
        try {
            JsonNode m = JSON.readTree(mark);
            ProviderException.Details d = new ProviderException.Details(m.path("provider").asText(),
                    m.path("model").asText(), m.has("status") ? OptionalInt.of(m.get("status").asInt())
                            : OptionalInt.empty(), Optional.empty());
            String why = WAITED + " (" + m.path("message").asText() + ")";
            Optional<Duration> retryAfter = m.has("retry_after_ms")
                    ? Optional.of(Duration.ofMillis(m.get("retry_after_ms").asLong())) : Optional.empty();
            ProviderException cause = switch (m.path("kind").asText()) {
                case "server_error" -> new ProviderException.ServerError(d, why);
                case "overloaded" -> new ProviderException.Overloaded(d, why, retryAfter);
                case "rate_limited" -> new ProviderException.RateLimited(d, why, retryAfter);
                case "timeout" -> new ProviderException.ProviderTimeout(d, WAITED + ": its call",
                        Duration.ofMillis(m.path("timeout_ms").asLong()));
                case "connection" -> new ProviderException.ConnectionFailed(d, why, null);
                default -> null;
            };
            return Optional.ofNullable(cause).map(c -> new GatewayException.UpstreamFailed(List.of(c)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
