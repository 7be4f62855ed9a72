package dev.costwise.llm.provider.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parsing rules from https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation. */
class SseReaderTest {

    private static List<SseEvent> read(String text) throws IOException {
        SseReader r = new SseReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        List<SseEvent> out = new ArrayList<>();
        for (Optional<SseEvent> e = r.next(); e.isPresent(); e = r.next()) {
            out.add(e.get());
        }
        return out;
    }

    @Test
    void givenCommentsAndBlankLines_whenRead_thenOnlyDataEvents() throws IOException {
        assertThat(read(": OPENROUTER PROCESSING\n\n\n\ndata: {\"a\":1}\n\n: ping\n\ndata: [DONE]\n\n"))
                .extracting(SseEvent::data).containsExactly("{\"a\":1}", "[DONE]");
    }

    @Test
    void givenMultiLineDataAndCrLf_whenRead_thenJoinedWithNewline() throws IOException {
        assertThat(read("data: first\r\ndata:second\r\n\r\n")).extracting(SseEvent::data)
                .containsExactly("first\nsecond");
    }

    @Test
    void givenNamedEventsWithIds_whenRead_thenKeepsTypeAndId() throws IOException {
        // Anthropic-style named events: https://docs.anthropic.com/en/docs/build-with-claude/streaming
        List<SseEvent> events = read("event: message_start\nid: 7\ndata: {}\nretry: 1000\n\nevent: ping\ndata: {}\n\n");

        assertThat(events).containsExactly(
                new SseEvent(Optional.of("message_start"), "{}", Optional.of("7")),
                new SseEvent(Optional.of("ping"), "{}", Optional.empty()));
    }

    @Test
    void givenMissingFinalBlankLine_whenRead_thenLastEventStillDispatched() throws IOException {
        assertThat(read("data: a\n\ndata: [DONE]")).extracting(SseEvent::data).containsExactly("a", "[DONE]");
    }

    @Test
    void givenUtf8AcrossEvents_whenRead_thenDecoded() throws IOException {
        assertThat(read("data: héllo 👋\n\n")).extracting(SseEvent::data).containsExactly("héllo 👋");
    }

    @Test
    void givenNdjson_whenRead_thenOneLinePerDocumentSkippingBlanks() throws IOException {
        NdjsonReader r = new NdjsonReader(new ByteArrayInputStream(
                "{\"a\":1}\n\n{\"b\":2}\r\n".getBytes(StandardCharsets.UTF_8)));

        assertThat(r.next()).contains("{\"a\":1}");
        assertThat(r.next()).contains("{\"b\":2}");
        assertThat(r.next()).isEmpty();
    }
}
