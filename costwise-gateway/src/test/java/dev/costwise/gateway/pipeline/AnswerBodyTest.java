package dev.costwise.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.Money;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.http.CostwiseObject;
import dev.costwise.llm.wire.OpenAiWire;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnswerBodyTest {
    private final ObjectMapper json = new ObjectMapper();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void givenATopLevelField_whenFound_thenItsValueIsTheRangeItTakesAndNotANestedOneOfTheSameName() throws IOException {
        byte[] answer = utf8("{\"choices\":[{\"costwise\":{\"x\":1},\"text\":\"\\\"costwise\\\": {}\"}],"
                + " \"costwise\" : {\"cost\":\"0.5\",\"run\":[1,{}]} ,\"z\":2}");

        AnswerBody.Range at = AnswerBody.find(answer, "costwise").orElseThrow();

        assertThat(new String(answer, at.from(), at.length(), StandardCharsets.UTF_8))
                .isEqualTo("{\"cost\":\"0.5\",\"run\":[1,{}]}");
        assertThat(AnswerBody.find(answer, "missing")).isEmpty();
        assertThat(AnswerBody.find(answer, "z")).as("a number is not replaced").isEmpty();
    }

    @Test
    void givenAReplacedValue_whenWritten_thenTheStoredBytesGoOutAroundItFromTheirOwnArray() throws IOException {
        byte[] stored = utf8("{\"id\":\"x\",\"costwise\":{\"cost\":\"0.5\"},\"tail\":\"" + "t".repeat(10_000) + "\"}");
        AnswerBody body = AnswerBody.of(stored).replacing(AnswerBody.find(stored, "costwise").orElseThrow(),
                utf8("{\"cost\":\"0\"}"));
        String expected = new String(stored, StandardCharsets.UTF_8).replace("\"0.5\"", "\"0\"");
        RecordingStream out = new RecordingStream();

        body.writeTo(out, 4);

        assertThat(out.bytes.toString(StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(body.bytes()).isEqualTo(utf8(expected));
        assertThat(body.length()).isEqualTo(utf8(expected).length);
        assertThat(out.arrays).filteredOn(a -> a != stored).singleElement() // the replacing value only
                .satisfies(a -> assertThat(new String(a, StandardCharsets.UTF_8)).isEqualTo("{\"cost\":\"0\"}"));
        assertThat(AnswerBody.of(stored).bytes()).isSameAs(stored);
        assertThatThrownBy(() -> body.replacing(new AnswerBody.Range(0, 1), utf8("{}")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void givenACachedWorkflowAnswer_whenAHitReturnsIt_thenOnlyItsCostwiseObjectIsReplacedAndTheRestIsNotCopied()
            throws IOException {
        ObjectNode answer = json.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion");
        answer.putArray("choices").addObject().put("index", 0).putObject("message").put("role", "assistant")
                .put("content", "a long answer ".repeat(20_000));
        CostwiseObject.ofRun(Money.of("0.02"), new CostwiseObject.RunCosts(Money.of("0.005"), Money.of("0.015"),
                Money.ZERO, Money.of("0.03"), "complex", 1, Optional.of("passed"))).writeTo(answer);
        answer.putObject("usage").put("total_tokens", 1500);
        byte[] stored = json.writeValueAsBytes(answer);
        RecordingStream out = new RecordingStream();

        AnswerBody hit = workflows().asHit(stored, Money.of("0.03"));
        hit.writeTo(out, 4096);

        CostwiseObject.ofRun(Money.ZERO, new CostwiseObject.RunCosts(Money.ZERO, Money.ZERO, Money.ZERO,
                Money.of("0.03"), "complex", 1, Optional.of("passed"))).writeTo(answer);
        assertThat(out.bytes.toByteArray()).isEqualTo(json.writeValueAsBytes(answer));
        assertThat(out.arrays).filteredOn(a -> a != stored).hasSize(1); // the hit's own object
    }

    private WorkflowRunner workflows() {
        ModelDirectory directory = new ModelDirectory(new ConfigLoader(Map.<String, String>of()::get).parse("""
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, price: {input: "1", output: "1"}}
                """, "test.yaml"));
        return new WorkflowRunner(directory, m -> {
            throw new AssertionError("no call is made");
        }, new UpstreamCircuits(directory.models(), Ticker.systemTicker(), new SimpleMeterRegistry()),
                new OpenAiWire(json), new CostCalculator(directory.models()), new MemorySpendLedger(),
                Clock.systemUTC(), Ticker.systemTicker(), json, new UpstreamHeadroom(Clock.systemUTC()));
    }
}
