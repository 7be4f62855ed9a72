package dev.costwise.llm.resilience;

import static dev.costwise.llm.resilience.OpenAiUpstream.adapter;
import static dev.costwise.llm.resilience.OpenAiUpstream.completion;
import static dev.costwise.llm.resilience.OpenAiUpstream.readAll;
import static dev.costwise.llm.resilience.OpenAiUpstream.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.WorkflowContext;
import dev.costwise.core.recovery.Retry;
import dev.costwise.core.recovery.RetryConfig;
import dev.costwise.core.recovery.Timeout;
import dev.costwise.core.recovery.TimeoutExceededException;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.http.HelidonHttpTransport;
import dev.costwise.llm.provider.http.HttpCall;
import dev.costwise.llm.provider.http.HttpResult;
import dev.costwise.llm.provider.http.HttpStreamResponse;
import dev.costwise.llm.provider.http.HttpTransport;
import dev.costwise.llm.provider.http.StreamTimeouts;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A deadline passing while the first exchange of a JVM still initialises the HTTP client's classes must not break
 * them (bug bash 4, F1).
 *
 * <p>On a cold JVM the first exchange initialises Helidon's classes, and some static initialisers read resources
 * through interruptible channels ({@code UriPathNoParam} reads its service registry). A deadline that interrupted the
 * thread doing the exchange failed that initialiser, the JVM refused the class from then on, and every later call of
 * every adapter failed with {@link NoClassDefFoundError}. Helidon's classes are long initialised by the time a test
 * runs, so each test puts a class of its own, first used by the exchange, in their place: its static initialiser
 * waits until the test lets it go (standing for the slow cold-JVM initialisation) and then reads a file through a
 * {@link FileChannel}, as Helidon's does, so an interrupt received meanwhile fails it exactly as it failed Helidon's.
 * The transport around it is the real Helidon one, calling a MockWebServer that answers in OpenAI's wire format (Groq's
 * endpoint, as in the report); the adapters, decorators and timeouts are real. Timeouts fire on a {@link
 * ManualScheduler} where the test needs them to fire at a known moment; the deadline tests use short real deadlines.
 */
class HttpClientClassInitTest {

    private static final String MODEL = "llama-3.3-70b-versatile";

    @StartStop
    final MockWebServer server = new MockWebServer();

    private final ManualScheduler timers = new ManualScheduler();

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    /** What a class initialiser of the test saw: when it started, and whether its thread was interrupted. */
    static final class Gate {
        private static final Map<Class<?>, Gate> GATES = new ConcurrentHashMap<>();

        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Thread> interrupted = new CopyOnWriteArrayList<>();

        static Gate of(Class<?> initialising) {
            return GATES.computeIfAbsent(initialising, c -> new Gate());
        }

        /**
         * The body of a static initialiser: slow (until the test releases it), then reading a resource through an
         * interruptible channel. An interrupt during the wait goes on to the read at once, as an interrupt during a
         * slow read would fail it.
         */
        void initialise() {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted.add(Thread.currentThread());
                Thread.currentThread().interrupt();
            }
            try {
                Path registry = Files.createTempFile("costwise-registry", ".json");
                try (FileChannel in = FileChannel.open(registry, StandardOpenOption.READ,
                        StandardOpenOption.DELETE_ON_CLOSE)) {
                    in.read(ByteBuffer.allocate(16)); // ClosedByInterruptException if interrupted
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Failed to open input stream for the service registry", e);
            }
        }
    }

    // One class per test: a class is initialised once per JVM, and each test needs a cold one.

    static final class ColdOnTimedOutCall {
        static {
            Gate.of(ColdOnTimedOutCall.class).initialise();
        }

        static void use() {}
    }

    static final class ColdOnTimedOutStream {
        static {
            Gate.of(ColdOnTimedOutStream.class).initialise();
        }

        static void use() {}
    }

    static final class ColdOnDeadlineCall {
        static {
            Gate.of(ColdOnDeadlineCall.class).initialise();
        }

        static void use() {}
    }

    static final class ColdOnFirstTokenLimit {
        static {
            Gate.of(ColdOnFirstTokenLimit.class).initialise();
        }

        static void use() {}
    }

    static final class FailsToInitialise {
        static final Object REGISTRY = unreadable();

        static void use() {}

        private static Object unreadable() {
            throw new IllegalStateException("service registry unreadable");
        }
    }

    /** Helidon's transport, whose exchanges first use {@code firstUse}, as a cold JVM's first exchange does. */
    private static HttpTransport coldHttpClient(Runnable firstUse) {
        HttpTransport helidon = HelidonHttpTransport.ofDefaults();
        return new HttpTransport() {
            @Override
            public HttpResult send(HttpCall call) throws IOException {
                firstUse.run();
                return helidon.send(call);
            }

            @Override
            public HttpResult send(HttpCall call, Duration timeLeft) throws IOException {
                firstUse.run();
                return helidon.send(call, timeLeft);
            }

            @Override
            public HttpStreamResponse stream(HttpCall call) throws IOException {
                firstUse.run();
                return helidon.stream(call);
            }
        };
    }

    private ChatModel groq(HttpTransport transport, StreamTimeouts timeouts) {
        return adapter(server, OpenAiCompatibleEndpoint.GROQ, MODEL).transport(transport).streamTimeouts(timeouts)
                .build();
    }

    private void answerEveryCall(boolean streamed) {
        MockResponse answer = streamed ? stream(MODEL, "Hello") : completion(MODEL, "Hello");
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer;
            }
        });
    }

    private Timeout timeout() {
        return Timeout.builder("groq-timeout").timeout(Duration.ofSeconds(20)).scheduler(timers)
                .isolation(Timeout.Isolation.CALLER_THREAD).build();
    }

    /** Runs {@code call} on a virtual thread; gives what it threw, or null. */
    private static FutureTask<Throwable> onCaller(Runnable call) {
        FutureTask<Throwable> caller = new FutureTask<>(() -> {
            try {
                call.run();
                return null;
            } catch (RuntimeException | Error e) {
                return e;
            }
        });
        Thread.ofVirtual().name("caller").start(caller);
        return caller;
    }

    private static ChatRequest hi() {
        return ChatRequest.of(MODEL, "hi");
    }

    @Test
    void givenATimeoutExpiringWhileTheFirstCallInitialisesTheHttpClient_whenCalledAgain_thenItAnswers()
            throws Exception {
        answerEveryCall(false);
        Gate gate = Gate.of(ColdOnTimedOutCall.class);
        ChatModel bounded = TimeLimitedChatModel.of(timeout(),
                groq(coldHttpClient(ColdOnTimedOutCall::use), StreamTimeouts.NONE));

        FutureTask<Throwable> first = onCaller(() -> bounded.execute(hi(), WorkflowContext.of("t")));
        assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
        timers.fireAll(); // the timeout expires while the HTTP client is still initialising
        assertThat(first.get(10, TimeUnit.SECONDS)).isInstanceOf(TimeoutExceededException.class);
        gate.release.countDown();

        assertThat(bounded.execute(hi(), WorkflowContext.of("t")).text()).isEqualTo("Hello");
        assertThat(gate.interrupted).as("no thread was interrupted while initialising a class").isEmpty();
    }

    @Test
    void givenATimeoutExpiringWhileTheFirstStreamInitialisesTheHttpClient_whenStreamedAgain_thenItAnswers()
            throws Exception {
        answerEveryCall(true);
        Gate gate = Gate.of(ColdOnTimedOutStream.class);
        ChatModel bounded = TimeLimitedChatModel.of(timeout(),
                groq(coldHttpClient(ColdOnTimedOutStream::use), StreamTimeouts.NONE));

        FutureTask<Throwable> first = onCaller(() -> bounded.stream(hi(), WorkflowContext.of("t")).close());
        assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
        timers.fireAll();
        assertThat(first.get(10, TimeUnit.SECONDS)).isInstanceOf(TimeoutExceededException.class);
        gate.release.countDown();

        assertThat(readAll(bounded.stream(hi(), WorkflowContext.of("t")))).contains("Hello");
        assertThat(gate.interrupted).isEmpty();
    }

    @Test
    void givenTheContextDeadlinePassingWhileTheFirstCallInitialisesTheHttpClient_whenCalledAgain_thenItAnswers() {
        answerEveryCall(false);
        Gate gate = Gate.of(ColdOnDeadlineCall.class);
        ChatModel groq = groq(coldHttpClient(ColdOnDeadlineCall::use), StreamTimeouts.NONE);

        assertThatThrownBy(() -> groq.execute(hi(), WorkflowContext.builder("t").timeout(Duration.ofMillis(300))
                .build())).isInstanceOf(ProviderException.ProviderTimeout.class)
                .hasMessageContaining("call timed out");
        gate.release.countDown();

        assertThat(groq.execute(hi(), WorkflowContext.of("t")).text()).isEqualTo("Hello");
        assertThat(gate.interrupted).isEmpty();
    }

    @Test
    void givenTheFirstTokenLimitPassingWhileTheFirstStreamInitialisesTheHttpClient_whenStreamedAgain_thenItAnswers() {
        answerEveryCall(true);
        Gate gate = Gate.of(ColdOnFirstTokenLimit.class);
        ChatModel groq = groq(coldHttpClient(ColdOnFirstTokenLimit::use),
                StreamTimeouts.of(Duration.ofMillis(300), Duration.ofMinutes(1)));

        assertThatThrownBy(() -> groq.stream(hi(), WorkflowContext.of("t")).close())
                .isInstanceOf(ProviderException.ProviderTimeout.class).hasMessageContaining("first token");
        gate.release.countDown();

        assertThat(readAll(groq.stream(hi(), WorkflowContext.of("t")))).contains("Hello");
        assertThat(gate.interrupted).isEmpty();
    }

    @Test
    void givenAnHttpClientClassThatFailedToInitialise_whenStreamed_thenTheErrorSurfacesAtOnceAndIsNotRetried() {
        answerEveryCall(true);
        List<Duration> slept = new CopyOnWriteArrayList<>();
        // a first-token limit far beyond the test: a swallowed Error would surface only as this limit's timeout
        ChatModel groq = RetryingChatModel.of(Retry.of("groq-retry", RetryConfig.builder().maxRetries(3)
                .classifier(ProviderFailureClassifier.ofDefaults()).sleeper(slept::add).build()),
                groq(coldHttpClient(FailsToInitialise::use), StreamTimeouts.of(Duration.ofMinutes(5),
                        Duration.ofMinutes(10))));

        FutureTask<Throwable> first = onCaller(() -> groq.stream(hi(), WorkflowContext.of("t")).close());
        Throwable failure;
        try {
            failure = first.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the stream neither opened nor failed: the Error was swallowed", e);
        }
        assertThat(failure).isInstanceOf(ExceptionInInitializerError.class);
        assertThatThrownBy(() -> groq.stream(hi(), WorkflowContext.of("t")))
                .isInstanceOf(NoClassDefFoundError.class);
        assertThat(slept).as("a class that cannot load is not retried").isEmpty();
        assertThat(server.getRequestCount()).isZero();
    }
}
