package dev.costwise.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

class ShownValueTest {
    @Test
    void givenAValueOfSixtyCharacters_whenShown_thenWhole() {
        String sixty = "x".repeat(60);

        assertThat(ShownValue.clip(sixty)).isEqualTo(sixty);
    }

    @Test
    void givenALongerValue_whenShown_thenCutToSixtyAndMarked() {
        assertThat(ShownValue.clip("y".repeat(61))).isEqualTo("y".repeat(60) + "…");
    }

    @Test
    void givenAJsonString_whenShown_thenItsJsonTextQuoted() {
        assertThat(ShownValue.of(JsonNodeFactory.instance.textNode("hex"))).isEqualTo("\"hex\"");
    }
}
