package dev.costwise.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README and the examples name each factory one way: the canonical one, never a deprecated shortcut. */
class CanonicalNamesTest {
    /** Deprecated shortcuts: {@code ModelCatalogs.bundled()} and {@code ModelCatalogs.builder()} are canonical. */
    private static final List<String> DEPRECATED = List.of("ModelCatalog.bundled(", "ModelCatalog.builder(");

    @Test
    void givenTheReadmeAndTheExamples_whenRead_thenNoneUsesADeprecatedCatalogShortcut() throws IOException {
        List<Path> files = new ArrayList<>(List.of(Path.of("../README.md")));
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            sources.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
        }
        assertThat(files).hasSizeGreaterThan(10);

        List<String> uses = new ArrayList<>();
        for (Path file : files) {
            String text = read(file);
            DEPRECATED.stream().filter(text::contains).forEach(d -> uses.add(file + ": " + d));
        }
        assertThat(uses).isEmpty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
