package dev.costwise.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's "Use it from Java" code is {@link ReadmeExample}'s, so the README shows code that compiles: the two are
 * compared statement for statement, comments and layout aside.
 */
class ReadmeExampleTest {

    private static final String MAIN = "public static void main(String[] args) {";

    @Test
    void givenTheReadmesJavaExample_whenComparedWithReadmeExample_thenTheCodeIsTheSame() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int section = readme.indexOf("## Use it from Java");
        assertThat(section).as("the README has its Java section").isNotNegative();
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        String shown = readme.substring(start, readme.indexOf("\n```", start));

        String source = Files.readString(Path.of("src/main/java/dev/costwise/examples/ReadmeExample.java"));
        int body = source.indexOf(MAIN) + MAIN.length();
        String compiled = source.substring(body, source.lastIndexOf('}', source.lastIndexOf('}') - 1));

        assertThat(code(shown)).isNotEmpty().isEqualTo(code(compiled));
    }

    /** @return the code without comments, blank space or line breaks */
    private static String code(String java) {
        return java.replaceAll("//[^\n]*", "").replaceAll("\\s+", "");
    }
}
