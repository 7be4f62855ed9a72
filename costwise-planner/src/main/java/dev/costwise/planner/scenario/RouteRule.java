package dev.costwise.planner.scenario;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One routing rule; the first rule that matches a request picks its route. A rule matches when every condition it
 * sets holds: the synthetic request's complexity class, a prompt shorter than {@code maxPromptChars} characters (the
 * spec's {@code len(prompt) < 100}), or a prompt containing one of {@code keywords} (the spec's support router).
 *
 * @param className the traffic class, if the rule tests it
 * @param maxPromptChars the prompt must be shorter than this, if set
 * @param keywords the prompt must contain one of these (case-insensitive), if not empty
 * @param route the route to take
 */
public record RouteRule(Optional<String> className, OptionalInt maxPromptChars, List<String> keywords, String route) {

    public RouteRule {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(maxPromptChars, "maxPromptChars");
        keywords = keywords.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList();
        Objects.requireNonNull(route, "route");
        ScenarioException.require(className.isPresent() || maxPromptChars.isPresent() || !keywords.isEmpty(),
                "route rule for '%s' needs a condition (class, maxPromptChars or keywords)", route);
    }

    /**
     * @param requestClass the request's class, if it has one
     * @param promptText the prompt text (user messages)
     * @return whether the rule matches
     */
    public boolean matches(Optional<String> requestClass, String promptText) {
        if (className.isPresent() && !className.equals(requestClass)) {
            return false;
        }
        if (maxPromptChars.isPresent() && promptText.length() >= maxPromptChars.getAsInt()) {
            return false;
        }
        if (!keywords.isEmpty()) {
            String lower = promptText.toLowerCase(Locale.ROOT);
            return keywords.stream().anyMatch(lower::contains);
        }
        return true;
    }
}
