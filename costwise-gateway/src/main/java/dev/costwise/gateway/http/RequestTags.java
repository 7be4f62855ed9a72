package dev.costwise.gateway.http;

import dev.costwise.gateway.config.TagRules;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code x-costwise-tags: feature=search, env=prod}: tags a request adds to its ledger rows, so spend can be
 * split by feature (or anything else) without a virtual key for each. A request may add tags but not change the ones
 * its key sets, nor set {@code key}, {@code team} (they decide budgets) or {@code user} (the body's {@code user} field
 * sets it, as in OpenAI's API).
 */
final class RequestTags {
    /** The header. */
    static final String HEADER = "x-costwise-tags";
    private static final int MAX_TAGS = 16;
    private static final Set<String> RESERVED = Set.of("key", "team", "user");

    private RequestTags() {}

    /**
     * @param header the header's value, if sent
     * @param keyTags the tags the caller's key sets
     * @return the request's own tags, in the order sent
     * @throws GatewayException.InvalidField naming the header, for a malformed pair, a name that is reserved or set
     *     by the key to another value, too many tags, a value too long or a byte that is not ASCII
     */
    static Map<String, String> parse(Optional<String> header, Map<String, String> keyTags) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (header.isEmpty() || header.get().isBlank()) {
            return tags;
        }
        if (!header.get().chars().allMatch(c -> c < 0x80)) {
            // the server reads header values as US-ASCII: a UTF-8 byte arrives as U+FFFD, its character lost, and a
            // tag stored so would split spend reports under a mangled name
            throw invalid("tags must be ASCII: the header's non-ASCII bytes cannot be read as the characters sent; "
                    + "percent-encode them (feature=r%C3%A9sum%C3%A9, kept as sent)");
        }
        for (String pair : header.get().split(",")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair.trim() : pair.substring(0, eq).trim();
            String value = eq < 0 ? "" : pair.substring(eq + 1).trim();
            if (eq < 0 || value.isEmpty()) {
                throw invalid("expected name=value pairs separated by commas, was '" + TagRules.clip(pair.trim())
                        + "'");
            }
            TagRules.nameProblem(name).ifPresent(problem -> {
                throw invalid(problem);
            });
            if (RESERVED.contains(name)) {
                throw invalid("tag '" + name + "' cannot be set by a request: " + (name.equals("user")
                        ? "send the body's \"user\" field" : "it comes from the API key"));
            }
            TagRules.valueProblem(name, value).ifPresent(problem -> {
                throw invalid(problem);
            });
            String fromKey = keyTags.get(name);
            if (fromKey != null && !fromKey.equals(value)) {
                throw invalid("tag '" + name + "' is set to '" + fromKey + "' by the API key; a request cannot change "
                        + "it");
            }
            if (tags.put(name, value) != null) {
                throw invalid("tag '" + name + "' is given twice");
            }
            if (tags.size() > MAX_TAGS) {
                throw invalid("at most " + MAX_TAGS + " tags");
            }
        }
        return tags;
    }

    private static GatewayException.InvalidField invalid(String message) {
        return new GatewayException.InvalidField(HEADER, message);
    }
}
