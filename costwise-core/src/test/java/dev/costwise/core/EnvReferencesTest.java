package dev.costwise.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EnvReferencesTest {

    @Test
    void givenReferencesWithAndWithoutDefaults_whenSubstituted_thenEachReplacedInOrder() {
        List<EnvReferences.Reference> seen = new ArrayList<>();
        Map<String, String> env = Map.of("HOST", "example.com");

        String out = EnvReferences.substitute("https://${HOST}:${PORT:-8080}/${PATH:-}$x", r -> {
            seen.add(r);
            return Optional.ofNullable(env.get(r.variable())).or(r::fallback).orElse("?");
        });

        assertThat(out).isEqualTo("https://example.com:8080/$x");
        assertThat(seen).containsExactly(new EnvReferences.Reference("HOST", Optional.empty()),
                new EnvReferences.Reference("PORT", Optional.of("8080")),
                new EnvReferences.Reference("PATH", Optional.of("")));
    }

    @Test
    void givenTextWithoutAValidReference_whenSubstituted_thenUnchanged() {
        assertThat(EnvReferences.substitute("${1ABC} ${A-B} $HOME", r -> "x")).isEqualTo("${1ABC} ${A-B} $HOME");
    }

    @Test
    void givenAReplacementWithDollarsAndBackslashes_whenSubstituted_thenInsertedLiterally() {
        assertThat(EnvReferences.substitute("${K}", r -> "a$1\\b")).isEqualTo("a$1\\b");
    }

    @Test
    void givenAWholeReference_whenAsked_thenItsPartsElseEmpty() {
        assertThat(EnvReferences.whole("${PROXY_URL}"))
                .contains(new EnvReferences.Reference("PROXY_URL", Optional.empty()));
        assertThat(EnvReferences.whole("${A:-b}")).contains(new EnvReferences.Reference("A", Optional.of("b")));
        assertThat(EnvReferences.whole("http://${HOST}")).isEmpty();
        assertThat(EnvReferences.whole(" ${A}")).isEmpty();
    }

    @Test
    void givenNames_whenChecked_thenLettersDigitsAndUnderscoresNotLeadingADigit() {
        assertThat(EnvReferences.isVariableName("OPENAI_API_KEY")).isTrue();
        assertThat(EnvReferences.isVariableName("_x1")).isTrue();
        assertThat(EnvReferences.isVariableName("1X")).isFalse();
        assertThat(EnvReferences.isVariableName("sk-abc")).isFalse();
        assertThat(EnvReferences.isVariableName("")).isFalse();
    }
}
