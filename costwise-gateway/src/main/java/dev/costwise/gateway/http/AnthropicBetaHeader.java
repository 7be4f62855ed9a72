package dev.costwise.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.wire.OpenAiWire;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Carries a caller's {@code anthropic-beta} header ({@code anthropic-beta: a,b}, or the header repeated) to the
 * Anthropic models its request reaches: the names go into the chat body's {@code anthropic_beta}
 * ({@link OpenAiWire#ANTHROPIC_BETA}), which the Anthropic adapter sends in its own {@code anthropic-beta} header,
 * merged with the betas it sets itself; the body sent to any other provider leaves it out. Being in the body, the
 * betas are part of the cache key. Stateless.
 */
final class AnthropicBetaHeader {
    static final String HEADER = "anthropic-beta";
    private static final HeaderName NAME = HeaderNames.create(HEADER);

    private AnthropicBetaHeader() {}

    /**
     * Adds the request's beta names, once each, after any the body already names.
     *
     * @param req the caller's request
     * @param body the chat body the pipeline runs on, written to
     * @throws GatewayException.InvalidField naming the header, for a value that is no beta name
     */
    static void copyTo(ServerRequest req, ObjectNode body) {
        List<String> values = req.headers().all(NAME, List::of);
        if (values.isEmpty()) {
            return;
        }
        Set<String> names = new LinkedHashSet<>();
        JsonNode given = body.get(OpenAiWire.ANTHROPIC_BETA);
        if (given != null && given.isArray()) {
            given.forEach(n -> names.add(n.asText()));
        }
        for (String value : values) {
            for (String name : value.split(",")) {
                String beta = name.strip();
                if (beta.isEmpty()) {
                    continue;
                }
                if (!ChatRequest.isAnthropicBetaName(beta)) {
                    throw new GatewayException.InvalidField(HEADER, "'" + abbreviate(beta) + "' is not a beta name "
                            + "(at most 100 letters, digits, '.', '_' and '-'; several are separated by commas)");
                }
                names.add(beta);
            }
        }
        if (!names.isEmpty()) {
            ArrayNode out = body.putArray(OpenAiWire.ANTHROPIC_BETA);
            names.forEach(out::add);
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
