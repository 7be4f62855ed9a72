package dev.costwise.planner;

import dev.costwise.core.Utf8Files;
import dev.costwise.planner.scenario.ScenarioException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A scenario's YAML text and where it came from: a file, or one of the built-in scenarios that reproduce the spec's
 * cost tables ({@link #BUILT_IN}).
 *
 * @param source the file path or {@code builtin:NAME}, for messages
 * @param yaml the text
 */
public record ScenarioFile(String source, String yaml) {

    /** The built-in scenarios, runnable by name: {@code costwise simulate pattern1}. */
    public static final List<String> BUILT_IN = List.of("pattern1", "pattern2", "pattern3", "pattern4",
            "pattern5", "pattern5a", "pattern5b", "example1", "example2", "combined");

    private static final String RESOURCE_DIR = "/dev/costwise/planner/scenarios/";

    public ScenarioFile {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(yaml, "yaml");
    }

    /**
     * A built-in scenario.
     *
     * @param name one of {@link #BUILT_IN}
     * @return the scenario file
     * @throws ScenarioException if there is no such built-in scenario
     */
    public static ScenarioFile builtIn(String name) {
        try (InputStream in = ScenarioFile.class.getResourceAsStream(RESOURCE_DIR + name + ".yaml")) {
            if (in == null || !BUILT_IN.contains(name)) {
                throw new ScenarioException("no built-in scenario '" + name + "'; built-in scenarios are " + BUILT_IN);
            }
            return new ScenarioFile("builtin:" + name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read built-in scenario " + name, e);
        }
    }

    /**
     * A scenario file on disk.
     *
     * @param path the YAML file
     * @return the scenario file
     * @throws ScenarioException if the file cannot be read
     */
    public static ScenarioFile of(Path path) {
        try {
            return new ScenarioFile(path.toString(), Utf8Files.read(path));
        } catch (IOException e) {
            throw new ScenarioException("cannot read scenario file " + path + ": " + FileErrors.reason(e), e);
        }
    }

    /**
     * A built-in scenario by name, else a file by path.
     *
     * @param nameOrPath {@code pattern1} or {@code my-scenario.yaml}
     * @return the scenario file
     * @throws ScenarioException if it is neither
     */
    public static ScenarioFile resolve(String nameOrPath) {
        if (BUILT_IN.contains(nameOrPath)) {
            return builtIn(nameOrPath);
        }
        Path path = Path.of(nameOrPath);
        if (!Files.isRegularFile(path)) {
            throw new ScenarioException("'" + nameOrPath + "' is neither a built-in scenario " + BUILT_IN
                    + " nor a readable file");
        }
        return of(path);
    }
}
