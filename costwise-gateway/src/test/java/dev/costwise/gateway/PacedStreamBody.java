package dev.costwise.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import okio.BufferedSink;

/**
 * A provider's stream written event by event, each once the time it stands for has passed on the gateway's ticker
 * ({@code nanos}): a provider that keeps its connection alive while its model thinks (Anthropic's {@code ping},
 * OpenRouter's {@code : OPENROUTER PROCESSING}) sends them over seconds, which the gateway measures on that ticker.
 * Records how far it got, and whether its reader closed the connection before the end.
 */
final class PacedStreamBody implements MockResponseBody {
    /** One write of the stream: {@code text}, once {@code after} has passed. */
    record Step(Duration after, String text) {}

    private final AtomicLong nanos;
    private final List<Step> steps;
    private final long length;
    private final AtomicInteger written = new AtomicInteger();
    private final CountDownLatch cut = new CountDownLatch(1);

    PacedStreamBody(AtomicLong nanos, List<Step> steps) {
        this.nanos = nanos;
        this.steps = List.copyOf(steps);
        this.length = steps.stream().mapToLong(s -> s.text().getBytes(StandardCharsets.UTF_8).length).sum();
    }

    /** @return {@code text} written {@code times} times, {@code each} apart */
    static List<Step> every(Duration each, int times, String text) {
        return new ArrayList<>(Collections.nCopies(times, new Step(each, text)));
    }

    /** @return {@code text} written at once */
    static Step then(String text) {
        return new Step(Duration.ZERO, text);
    }

    /**
     * @param bytesPerWrite the size of one keep-alive: each write is paced by so many bytes, so that the stream
     *     cannot run far ahead of its reader
     * @return this body as an event stream, paced
     */
    MockResponse response(int bytesPerWrite) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(this)
                .throttleBody(bytesPerWrite, 20, TimeUnit.MILLISECONDS).build();
    }

    @Override
    public long getContentLength() {
        return length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
        try {
            for (Step step : steps) {
                nanos.addAndGet(step.after().toNanos());
                sink.writeUtf8(step.text());
                sink.flush();
                written.incrementAndGet();
            }
        } catch (IOException e) {
            cut.countDown(); // the reader closed the connection
            throw e;
        }
    }

    /** @return the steps written so far */
    int written() {
        return written.get();
    }

    /** @return the steps of the stream */
    int steps() {
        return steps.size();
    }

    /** @return whether the reader closed the connection before the end, within {@code wait} */
    boolean cutWithin(Duration wait) throws InterruptedException {
        return cut.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }
}
