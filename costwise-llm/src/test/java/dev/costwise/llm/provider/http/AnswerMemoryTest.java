package dev.costwise.llm.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.anthropic.AnthropicChatModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * The process-wide budget of answer bytes: reservations grow until the budget is full, a refusal adds nothing and
 * never waits, closing gives the bytes back; readers count a body in it as they read, and give it back on success and
 * on failure alike. Answers are Anthropic Messages bodies (https://docs.claude.com/en/api/messages).
 */
class AnswerMemoryTest {
    private static final int ONE_MB = 1024 * 1024;

    @StartStop
    private final MockWebServer server = new MockWebServer();

    @Test
    void givenABudget_whenReservationsGrowPastIt_thenTheLastIsRefusedWholeAndClosingReleases() throws IOException {
        AnswerMemory memory = AnswerMemory.ofBytes(100);
        AnswerMemory.Reservation a = memory.open();
        AnswerMemory.Reservation b = memory.open();
        a.grow(60);
        b.grow(30);

        assertThatThrownBy(() -> b.grow(11)).isInstanceOf(AnswerMemoryExhaustedException.class)
                .hasMessage("the answers being read already hold the 100 bytes limit of answer memory; try again");
        assertThat(b.bytes()).isEqualTo(30);
        assertThat(memory.reserved()).isEqualTo(90);
        b.grow(10);

        a.close();
        a.close(); // idempotent
        assertThat(memory.reserved()).isEqualTo(40);
        b.close();
        assertThat(memory.reserved()).isZero();
        assertThatThrownBy(() -> a.grow(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AnswerMemory.ofBytes(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenManyThreads_whenTheyReserveAndRelease_thenTheBudgetIsNeverPassedAndEndsEmpty() throws Exception {
        AnswerMemory memory = AnswerMemory.ofBytes(1000);
        AtomicLong refused = new AtomicLong();
        AtomicLong highest = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        try (AnswerMemory.Reservation r = memory.open()) {
                            r.grow(100);
                            r.grow(150);
                            highest.accumulateAndGet(memory.reserved(), Math::max);
                        } catch (AnswerMemoryExhaustedException e) {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        }
        assertThat(highest.get()).isLessThanOrEqualTo(1000);
        assertThat(memory.reserved()).isZero();
    }

    @Test
    void givenADeclaredLengthOverWhatIsLeft_whenRead_thenRefusedBeforeReading() throws IOException {
        AnswerMemory memory = AnswerMemory.ofBytes(ONE_MB);
        ByteArrayInputStream in = new ByteArrayInputStream(new byte[ONE_MB + 1]);
        try (AnswerMemory.Reservation held = memory.open()) {
            assertThatThrownBy(() -> HttpBodies.readAtMost(in, OptionalLong.of(ONE_MB + 1), 2 * ONE_MB, "the answer",
                    held)).isInstanceOf(AnswerMemoryExhaustedException.class);
            assertThat(in.available()).isEqualTo(ONE_MB + 1);
        }
    }

    /**
     * {@link InputStream#readNBytes(int)} gathers a long body in 16 KB buffers, then copies them into the result: the
     * body held twice at its peak, which the budget does not count (six 8 MB answers under a 96 MB heap, three of them
     * admitted, still ended the process). A declared body is read straight into the array returned.
     */
    @Test
    void givenADeclaredLength_whenRead_thenEveryReadLandsInTheArrayReturned() throws IOException {
        Set<byte[]> targets = Collections.newSetFromMap(new IdentityHashMap<>());
        byte[] body = new byte[3 * ONE_MB];
        body[body.length - 1] = 9;
        ByteArrayInputStream bytes = new ByteArrayInputStream(body);
        InputStream in = new InputStream() { // only InputStream's own read paths, as Helidon's entity stream
            @Override
            public int read() {
                return bytes.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                targets.add(b);
                return bytes.read(b, off, len);
            }
        };
        byte[] read;
        try (AnswerMemory.Reservation held = AnswerMemory.ofBytes(4 * ONE_MB).open()) {
            read = HttpBodies.readAtMost(in, OptionalLong.of(body.length), 4 * ONE_MB, "the answer", held);
        }
        assertThat(read).isEqualTo(body);
        assertThat(targets).hasSize(1).allSatisfy(t -> assertThat(t).isSameAs(read));
    }

    @Test
    void givenAFullBudget_whenASmallAnswerIsRead_thenItIsNotCountedNorRefused() throws IOException {
        AnswerMemory memory = AnswerMemory.ofBytes(ONE_MB);
        try (AnswerMemory.Reservation big = memory.open(); AnswerMemory.Reservation small = memory.open()) {
            big.grow(ONE_MB);
            byte[] body = new byte[HttpBodies.UNCOUNTED];
            assertThat(HttpBodies.readAtMost(new ByteArrayInputStream(body), OptionalLong.of(body.length), ONE_MB,
                    "the answer", small)).hasSize(body.length);
            assertThat(HttpBodies.readAtMost(new ByteArrayInputStream(body), OptionalLong.empty(), ONE_MB,
                    "the answer", small)).hasSize(body.length);
            assertThat(small.bytes()).isZero();
            assertThatThrownBy(() -> HttpBodies.readAtMost(new ByteArrayInputStream(new byte[body.length + 1]),
                    OptionalLong.empty(), ONE_MB, "the answer", small))
                    .isInstanceOf(AnswerMemoryExhaustedException.class);
        }
    }

    @Test
    void givenAnUndeclaredBody_whenRead_thenReservedAsItArrivesAndStoppedWhereTheBudgetEnds() throws IOException {
        byte[] body = new byte[3 * ONE_MB + 5];
        body[3 * ONE_MB] = 7;
        AnswerMemory big = AnswerMemory.ofBytes(4 * ONE_MB);
        try (AnswerMemory.Reservation held = big.open()) {
            byte[] read = HttpBodies.readAtMost(new ByteArrayInputStream(body), OptionalLong.empty(), 4 * ONE_MB,
                    "the answer", held);
            assertThat(read).isEqualTo(body);
            assertThat(held.bytes()).isBetween((long) body.length, 4L * ONE_MB);
        }
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        try (AnswerMemory.Reservation held = AnswerMemory.ofBytes(ONE_MB).open()) {
            assertThatThrownBy(() -> HttpBodies.readAtMost(in, OptionalLong.empty(), 4 * ONE_MB, "the answer", held))
                    .isInstanceOf(AnswerMemoryExhaustedException.class);
            assertThat(in.available()).isGreaterThanOrEqualTo(2 * ONE_MB); // stopped at the budget, not the end
        }
    }

    private AnthropicChatModel claude(AnswerMemory memory) {
        HttpTransport http = HelidonHttpTransport.builder().answerMemory(memory).build();
        return AnthropicChatModel.builder("claude-sonnet-4-5").apiKey("sk-ant-test-key-123")
                .baseUrl(server.url("/").uri()).pricer(TestPricers.FIXED).transport(http).build();
    }

    private static MockResponse claudeAnswer(long padding, boolean declared) {
        return LargeBodies.padded("application/json", "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":"
                + "\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"big\"}],"
                + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":9,\"output_tokens\":1},\"padding\":[",
                padding, "}", declared);
    }

    @Test
    void givenAnAnswerTheBudgetCannotHold_whenExecuted_thenOverloadedNamingTheLimitAndTheBytesAreReleased() {
        AnswerMemory memory = AnswerMemory.ofBytes(2 * ONE_MB);
        AnthropicChatModel model = claude(memory);
        server.enqueue(claudeAnswer(3L * ONE_MB, true));
        server.enqueue(claudeAnswer(3L * ONE_MB, false));
        server.enqueue(claudeAnswer(ONE_MB, false));

        for (int i = 0; i < 2; i++) { // declared, then chunked
            assertThatThrownBy(() -> model.execute(ChatRequest.of("claude-sonnet-4-5", "hi"),
                    WorkflowContext.of("t")))
                    .isInstanceOfSatisfying(ProviderException.Overloaded.class, e -> {
                        assertThat(e.isTransient()).isTrue();
                        assertThat(e.getMessage()).contains("the 2 MB limit of answer memory");
                    });
            assertThat(memory.reserved()).isZero();
        }
        assertThat(model.execute(ChatRequest.of("claude-sonnet-4-5", "hi"), WorkflowContext.of("t")).text())
                .isEqualTo("big");
        assertThat(memory.reserved()).isZero();
    }
}
