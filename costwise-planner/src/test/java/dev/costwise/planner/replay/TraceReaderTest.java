package dev.costwise.planner.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.ServiceTier;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CatalogPricer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request format: https://platform.openai.com/docs/api-reference/chat/create */
class TraceReaderTest {

    private final TraceReader reader = new TraceReader(ModelCatalogs.bundled());

    @Test
    void givenBadLines_whenRead_thenEachHasItsLineNumberAndAReasonNamingTheProblem() {
        TraceReader.Trace t = reader.read(List.of(
                "not json",
                "[1,2]",
                "{\"model\":\"gpt-4o\",\"messages\":[]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}",
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":42}]}",
                "{\"request\":{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]},"
                        + "\"usage\":{\"prompt_tokens\":-1,\"completion_tokens\":3}}",
                "{\"timestamp\":\"yesterday\",\"request\":{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"x\"}]}}",
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":0}"));

        assertThat(t.entries()).isEmpty();
        assertThat(t.errors()).extracting(TraceError::line).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(t.errors()).extracting(TraceError::reason).satisfiesExactly(
                r -> assertThat(r).startsWith("malformed JSON"),
                r -> assertThat(r).contains("expected a JSON object"),
                r -> assertThat(r).contains("messages: must hold at least one message"),
                r -> assertThat(r).contains("model: is required"),
                r -> assertThat(r).contains("messages[0].role").contains("wizard"),
                r -> assertThat(r).contains("messages[0].content").contains("42"),
                r -> assertThat(r).contains("prompt_tokens").contains("-1"),
                r -> assertThat(r).contains("timestamp").contains("yesterday"),
                r -> assertThat(r).contains("max_tokens").contains("0"));
    }

    /** A reason speaks of the line, not of the JSON library: no source marker, no setting's name. */
    @Test
    void givenATruncatedLineAndAHugeString_whenRead_thenTheReasonsSayWhereAndWhatWithoutTheLibrarysInternals() {
        TraceReader.Trace t = reader.read(List.of(
                "{\"model\": \"gpt-4o\", \"messages\": [{\"role\":\"user\",\"content\":\"x\"}]",
                "{\"model\": \"gpt-4o\", \"messages\": [{\"role\":\"user\",\"content\":\"" + "x".repeat(20_000_001)
                        + "\"}]}"));

        assertThat(t.errors()).extracting(TraceError::reason).satisfiesExactly(
                r -> assertThat(r).isEqualTo("malformed JSON: Unexpected end-of-input: expected close marker for"
                        + " Object (opened at column 1), at column 64"),
                r -> assertThat(r).isEqualTo("too large to read: a string on it is longer than the 20,000,000"
                        + " characters the reader takes"));
    }

    /** The gateway serves and bills n answers ({@code n} a whole number >= 1); the trace takes what it takes. */
    @Test
    void givenRequestsForSeveralAnswers_whenRead_thenTheyAreTakenWithTheirChoicesAndABadNIsABadLine() {
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
        TraceReader.Trace t = reader.read(List.of("{\"model\":\"gpt-4o\",\"n\":3," + messages + "}",
                "{\"model\":\"gpt-4o\"," + messages + "}", "{\"model\":\"gpt-4o\",\"n\":0," + messages + "}",
                "{\"model\":\"gpt-4o\",\"n\":1.5," + messages + "}"));

        assertThat(t.entries()).extracting(TraceEntry::choices).containsExactly(3L, 1L);
        assertThat(t.errors()).extracting(TraceError::line).containsExactly(3, 4);
        assertThat(t.errors()).extracting(TraceError::reason).allSatisfy(r -> assertThat(r)
                .contains("n: expected a whole number >= 1"));
    }

    @Test
    void givenAWrapperNamingAKey_whenRead_thenTheEntryCarriesItsIdAndAKeyThatIsNoTextIsABadLine() {
        String request = "\"request\":{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        TraceReader.Trace t = reader.read(List.of("{\"key\":\"team-a\"," + request + "}",
                "{\"key\":\"\"," + request + "}", "{\"key\":7," + request + "}"));

        assertThat(t.entries()).extracting(TraceEntry::key).containsExactly(Optional.of("team-a"),
                Optional.empty());
        assertThat(t.errors()).singleElement().satisfies(e -> assertThat(e.reason())
                .isEqualTo("key must be the id of the virtual key the request came with (text), was 7"));
    }

    @Test
    void givenAnEmbeddingModelInAChatTrace_whenRead_thenTheLineIsRefusedNamingTheModel() {
        TraceReader.Trace t = reader.read(List.of(
                "{\"model\":\"text-embedding-3-small\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));

        assertThat(t.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(1);
            assertThat(e.reason()).isEqualTo("'text-embedding-3-small' is an embedding model, which answers no chat "
                    + "request");
        });
        assertThat(t.entries()).extracting(TraceEntry::line).containsExactly(2);
    }

    @Test
    void givenTwoObjectsOnOneLineOrJunkAfterTheObject_whenRead_thenTheLineIsRefusedNotHalfRead() {
        String request = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

        TraceReader.Trace t = reader.read(List.of(request + request, request + " trailing garbage, not JSON",
                request + "   "));

        assertThat(t.errors()).extracting(TraceError::line).containsExactly(1, 2);
        assertThat(t.errors()).extracting(TraceError::reason).allSatisfy(r -> assertThat(r)
                .startsWith("malformed JSON: trailing content after the JSON value (from column 62"));
        assertThat(t.entries()).extracting(TraceEntry::line).containsExactly(3);
    }

    /**
     * The usage shape the gateway writes (prompt_tokens_details.cache_write_tokens) is billed as the gateway bills it:
     * claude-sonnet-4-5, 10,000 prompt tokens of which 8,000 cache writes, 100 out: 2,000 × $3 + 8,000 × $3.75 +
     * 100 × $15 per 1M = $0.0375.
     */
    @Test
    void givenRecordedCacheWrites_whenReadAndPriced_thenTheyCostTheCacheWritePrice() {
        TraceReader.Trace t = reader.read(List.of("{\"request\":{\"model\":\"claude-sonnet-4-5\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"x\"}]},\"usage\":{\"prompt_tokens\":10000,"
                + "\"completion_tokens\":100,\"prompt_tokens_details\":{\"cache_write_tokens\":8000}}}",
                "{\"request\":{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]},"
                + "\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":1,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":500}}}"));

        Usage usage = t.entries().getFirst().recorded().orElseThrow();
        assertThat(usage.cacheWriteTokens()).isEqualTo(8000);
        assertThat(CatalogPricer.builder(ModelCatalogs.bundled()).build().price("claude-sonnet-4-5", usage).cost())
                .hasToString("0.0375");
        assertThat(t.errors()).singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo(
                "usage.prompt_tokens_details: cached_tokens (500) plus cache_write_tokens (0) exceed"
                        + " usage.prompt_tokens (100)"));
    }

    @Test
    void givenADirectoryAsTheTrace_whenRead_thenTheErrorNamesThePath(@TempDir Path dir) {
        assertThatThrownBy(() -> reader.read(dir)).isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageStartingWith("cannot read trace " + dir + ": ");
    }

    @Test
    void givenWrappedAndPlainRequests_whenRead_thenRequestUsageAndTextPartsAreKept() {
        TraceReader.Trace t = reader.read(List.of(
                "{\"timestamp\":\"2026-11-27T08:00:00Z\",\"request\":{\"model\":\"gpt-4o-mini\",\"messages\":"
                        + "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":"
                        + "[{\"type\":\"text\",\"text\":\"Hello\"},{\"type\":\"text\",\"text\":\"there\"}]}],"
                        + "\"temperature\":0.2},\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":7,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":4}}}",
                "",
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                        + "\"max_completion_tokens\":50}"));

        assertThat(t.lines()).isEqualTo(2);
        assertThat(t.errors()).isEmpty();
        TraceEntry first = t.entries().get(0);
        assertThat(first.line()).isEqualTo(1);
        assertThat(first.request().model()).isEqualTo("gpt-4o-mini");
        assertThat(first.request().temperature()).contains(0.2);
        assertThat(first.request().messages().get(1).content()).containsExactly(new ContentPart.Text("Hello"),
                new ContentPart.Text("there"));
        assertThat(first.recorded().orElseThrow().inputTokens()).isEqualTo(12);
        assertThat(first.recorded().orElseThrow().cachedInputTokens()).isEqualTo(4);
        assertThat(first.recorded().orElseThrow().outputTokens()).isEqualTo(7);
        assertThat(t.entries().get(1).line()).isEqualTo(3);
        assertThat(t.entries().get(1).request().maxTokens()).contains(50);
        assertThat(t.entries().get(1).recorded()).isEmpty();
    }

    @Test
    void givenRecordedAnswersOnServiceTiers_whenRead_thenTheReportedTierElseTheAskedOneIsKept() {
        String usage = "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5}";
        TraceReader.Trace t = reader.read(List.of(
                "{\"request\":{\"model\":\"o3\",\"service_tier\":\"flex\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"a\"}]}," + usage + "}",
                "{\"request\":{\"model\":\"o3\",\"messages\":[{\"role\":\"user\",\"content\":\"b\"}]},"
                        + usage + ",\"service_tier\":\"priority\"}",
                "{\"request\":{\"model\":\"o3\",\"service_tier\":\"priority\",\"messages\":[{\"role\":"
                        + "\"user\",\"content\":\"c\"}]}," + usage + ",\"service_tier\":\"default\"}"));

        assertThat(t.entries()).extracting(e -> e.recorded().orElseThrow().serviceTier())
                .containsExactly(ServiceTier.FLEX, ServiceTier.PRIORITY, ServiceTier.STANDARD);
    }

    private static String withUsage(String prompt, String completion) {
        return "{\"request\":{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]},"
                + "\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion + "}}";
    }

    @Test
    void givenFractionalOrNonIntegerUsage_whenRead_thenTheLineIsRefusedNamingTheFieldNotTruncated() {
        TraceReader.Trace t = reader.read(List.of(withUsage("1.5", "10"), withUsage("10", "10.9"),
                withUsage("1e3", "10"), withUsage("10", "\"12\""), withUsage("7", "3")));

        assertThat(t.errors()).extracting(TraceError::toString).containsExactly(
                "line 1: usage.prompt_tokens must be a whole number >= 0, was 1.5",
                "line 2: usage.completion_tokens must be a whole number >= 0, was 10.9",
                "line 3: usage.prompt_tokens must be a whole number >= 0, was 1000.0",
                "line 4: usage.completion_tokens must be a whole number >= 0, was \"12\"");
        assertThat(t.entries()).singleElement().satisfies(e -> {
            assertThat(e.recorded().orElseThrow().inputTokens()).isEqualTo(7);
            assertThat(e.recorded().orElseThrow().outputTokens()).isEqualTo(3);
        });
    }

    @Test
    void givenATraceFileStartingWithAUtf8ByteOrderMark_whenRead_thenItsFirstLineIsRead(@TempDir Path dir)
            throws Exception {
        Path trace = dir.resolve("bom.jsonl");
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        Files.write(trace, bom);
        Files.writeString(trace, withUsage("1000", "1000") + "\r\n" + withUsage("2000", "500") + "\r\n",
                StandardOpenOption.APPEND);

        TraceReader.Trace t = reader.read(trace);

        assertThat(t.errors()).isEmpty();
        assertThat(t.entries()).extracting(e -> e.line() + ":" + e.recorded().orElseThrow().inputTokens())
                .containsExactly("1:1000", "2:2000");
    }
}
