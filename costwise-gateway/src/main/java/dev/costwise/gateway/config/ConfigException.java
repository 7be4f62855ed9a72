package dev.costwise.gateway.config;

import java.util.List;

/**
 * A configuration that cannot be used, with every problem found, each naming its path in the file
 * ({@code models[2].provider: unknown provider 'opnai' (known: openai, anthropic, …)}).
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    /**
     * @param source the file (or "embedded default") the problems are in
     * @param problems every problem, each starting with its path
     */
    public ConfigException(String source, List<String> problems) {
        super(problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " in " + source + ":\n  - "
                + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** @return every problem, each starting with its path in the file */
    public List<String> problems() {
        return problems;
    }
}
