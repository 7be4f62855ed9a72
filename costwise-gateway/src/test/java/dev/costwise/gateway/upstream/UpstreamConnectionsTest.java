package dev.costwise.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.llm.provider.ProviderException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own keep-alive pool ({@link UpstreamConnections}) through {@link OpenAiCompatibleUpstream}, against a
 * local server: connections are reused, a connection the upstream closed while idle costs one transparent retry on a
 * new connection, and connections idle past the limit are not reused.
 */
class UpstreamConnectionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MAX_IDLE = Duration.ofSeconds(30);

    @StartStop
    private final MockWebServer server = new MockWebServer();

    private final AtomicLong nanos = new AtomicLong();
    /** Swept by hand, on the same fake clock as the pool. */
    private final AnswerDeadlines deadlines = new AnswerDeadlines(nanos::get);
    private final OpenAiCompatibleUpstream upstream =
            new OpenAiCompatibleUpstream(JSON, Duration.ofSeconds(5), MAX_IDLE, nanos::get);

    @AfterEach
    void closeUpstream() {
        upstream.close();
    }

    @Test
    void sequentialRequestsShareOneConnection() throws Exception {
        for (int i = 0; i < 3; i++) {
            server.enqueue(completion());
        }
        for (int i = 0; i < 3; i++) {
            assertThat(upstream.complete(call()).usage().orElseThrow().inputTokens()).isEqualTo(12);
        }
        assertThat(connectionIndexes(3)).containsExactly(0, 0, 0);
    }

    @Test
    void aConnectionTheUpstreamClosedWhileIdleIsReplacedWithoutFailingTheRequest() throws Exception {
        // The first answer ends with the server closing the connection (as a keep-alive timeout would) but without
        // a Connection: close header, so the client keeps it; the next request finds it dead.
        server.enqueue(completion().newBuilder().onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build());
        server.enqueue(completion());

        upstream.complete(call());
        var second = upstream.complete(call());

        assertThat(second.usage().orElseThrow().outputTokens()).isEqualTo(3);
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(connectionIndexes(2)).containsExactly(0, 1);
    }

    @Test
    void aNewConnectionThatFailsIsNotRetried() {
        // Closed before any answer byte on a connection that was just opened: a real failure, reported once.
        server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
        server.enqueue(completion());

        assertThatThrownBy(() -> upstream.complete(call()))
                .isInstanceOf(ProviderException.ConnectionFailed.class)
                .hasMessageContaining("cannot reach the provider of 'gpt-4o-mini' (openai)")
                .hasMessageNotContaining(server.url("/v1").toString());
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void aConnectionIdleLongerThanTheLimitIsClosedInsteadOfReused() throws Exception {
        server.enqueue(completion());
        server.enqueue(completion());
        server.enqueue(completion());

        upstream.complete(call());
        nanos.addAndGet(MAX_IDLE.toNanos()); // exactly at the limit: still reused
        upstream.complete(call());
        nanos.addAndGet(MAX_IDLE.toNanos() + 1);
        upstream.complete(call());

        assertThat(connectionIndexes(3)).containsExactly(0, 0, 1);
    }

    @Test
    void connectionsLeftIdleAfterABurstAreClosedOnceTheyExpire() throws Exception {
        for (int i = 0; i < 3; i++) {
            server.enqueue(completion());
        }
        // Two concurrent calls leave two idle connections; the traffic after them needs only the newer one, so the
        // older one is never taken again and must be closed once it expires.
        UpstreamConnections pool = upstreamPool();
        var older = pool.acquire(target());
        var newer = pool.acquire(target());
        completeOn(older);
        nanos.addAndGet(MAX_IDLE.toNanos());
        completeOn(newer);
        assertThat(pool.idleCount()).isEqualTo(2);

        nanos.addAndGet(1);
        var reused = pool.acquire(target());
        assertThat(reused.reused()).isTrue();
        completeOn(reused);

        assertThat(pool.idleCount()).as("the expired connection was closed when the request ended").isEqualTo(1);
        pool.close();
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void anAnswerStalledPastTheDeadlineEndsAsATimeoutAndItsConnectionIsNotReused() throws Exception {
        // Headers arrive at once, the body never in time: the deadline covers the whole answer, not only the headers.
        server.enqueue(completion().newBuilder().bodyDelay(10, TimeUnit.SECONDS).build());
        server.enqueue(completion());
        Upstream.Call slow = new Upstream.Call(call().model(), call().body(), Duration.ofMillis(300));

        assertThatThrownBy(() -> upstream.complete(slow))
                .isInstanceOf(ProviderException.ProviderTimeout.class)
                .hasMessageContaining("the upstream call timed out after 300 ms");
        assertThat(upstream.complete(call()).usage().orElseThrow().inputTokens()).isEqualTo(12);

        assertThat(connectionIndexes(2)).containsExactly(0, 1);
    }

    @Test
    void aDeadlineThatPassedBeforeTheRequestWasSentEndsAsATimeoutNotAnInternalError() throws Exception {
        // The deadline closes the connection before Helidon writes the request, which it then refuses to send on.
        server.enqueue(completion());
        server.enqueue(completion());
        Upstream.Call late = new Upstream.Call(call().model(), call().body(), Duration.ZERO);

        assertThatThrownBy(() -> upstream.complete(late)).isInstanceOf(ProviderException.ProviderTimeout.class)
                .hasMessageContaining("the upstream call timed out after");
        assertThatThrownBy(() -> upstream.stream(late)).isInstanceOf(ProviderException.ProviderTimeout.class);

        assertThat(upstream.complete(call()).usage().orElseThrow().inputTokens()).isEqualTo(12);
        assertThat(server.getRequestCount()).as("nothing was sent on the closed connections").isEqualTo(1);
    }

    @Test
    void aDeadlinePassingAfterTheAnswerWasReadLeavesThePooledConnectionAlone() throws Exception {
        server.enqueue(completion());
        server.enqueue(completion());
        UpstreamConnections pool = upstreamPool();
        var lease = pool.acquire(target());
        AnswerDeadlines.Watch watch = watched(lease);
        completeOn(lease);

        // The deadline passes after the answer was read and the connection went back, before the watch is closed.
        nanos.set(Duration.ofMillis(100).toNanos());
        deadlines.sweep();

        var next = pool.acquire(target());
        assertThat(next.reused()).isTrue();
        completeOn(next);
        assertThat(connectionIndexes(2)).as("the second request used the same, still open, connection")
                .containsExactly(0, 0);
    }

    @Test
    void aWatchWhoseDeadlineClosedTheConnectionRefusesToHandItBack() {
        server.enqueue(completion());
        AnswerDeadlines.Watch watch = watched(upstreamPool().acquire(target()));

        nanos.set(Duration.ofMillis(100).toNanos());
        deadlines.sweep();

        assertThat(watch.release()).as("the deadline took the connection").isFalse();
    }

    @Test
    void deadlinesExpireOnlyOncePassedAndStopBeingWatchedWhenClosed() {
        AtomicLong clock = new AtomicLong();
        AnswerDeadlines deadlines = new AnswerDeadlines(clock::get);
        AnswerDeadlines.Watch soon = deadlines.watch(Duration.ofMillis(100));
        AnswerDeadlines.Watch later = deadlines.watch(Duration.ofSeconds(10));
        AnswerDeadlines.Watch answered = deadlines.watch(Duration.ofMillis(50));
        answered.close();

        clock.set(Duration.ofMillis(99).toNanos());
        deadlines.sweep();
        assertThat(soon.expired()).isFalse();
        clock.set(Duration.ofMillis(100).toNanos());
        deadlines.sweep();

        assertThat(soon.expired()).isTrue();
        assertThat(later.expired()).isFalse();
        assertThat(answered.expired()).as("closed before its deadline").isFalse();
        assertThat(deadlines.watching()).isEqualTo(1);
    }

    @Test
    void theSweeperKeepsRunningUntilClosedEvenWhenItStartsBeforeItsThreadIsStored() throws InterruptedException {
        // started() stores the sweeper thread after starting it; a sweeper that ran first once saw "no thread" as
        // "closed" and quit, leaving that gateway without deadlines. Running the loop with nothing stored is that case.
        AnswerDeadlines deadlines = new AnswerDeadlines(System::nanoTime);
        Thread sweeper = Thread.ofPlatform().daemon(true).start(deadlines::sweepEveryTick);

        assertThat(sweeper.join(Duration.ofMillis(50))).as("sweeper quit before close()").isFalse();
        deadlines.close();
        assertThat(sweeper.join(Duration.ofSeconds(5))).as("sweeper stopped by close()").isTrue();
    }

    @Test
    void rejectsLimitsThatCannotWork() {
        var client = io.helidon.webclient.api.WebClient.builder().build();
        var config = client.client(io.helidon.webclient.http1.Http1Client.PROTOCOL).prototype();
        assertThatThrownBy(() -> new UpstreamConnections(client, config, Duration.ZERO, 1, System::nanoTime))
                .hasMessage("maxIdle must be positive, was PT0S");
        assertThatThrownBy(() -> new UpstreamConnections(client, config, MAX_IDLE, 0, System::nanoTime))
                .hasMessage("maxIdlePerOrigin must be at least 1, was 0");
    }

    /** A 100 ms deadline on the lease's request, wired as {@code OpenAiCompatibleUpstream.send} wires it. */
    private AnswerDeadlines.Watch watched(UpstreamConnections.Lease lease) {
        AnswerDeadlines.Watch watch = deadlines.watch(Duration.ofMillis(100));
        watch.connection(lease.connection());
        lease.beforeGiveBack(watch::release);
        return watch;
    }

    private UpstreamConnections upstreamPool() {
        var client = io.helidon.webclient.api.WebClient.builder().build();
        return new UpstreamConnections(client, client.client(io.helidon.webclient.http1.Http1Client.PROTOCOL)
                .prototype(), MAX_IDLE, 8, nanos::get);
    }

    private java.net.URI target() {
        return server.url("/v1/chat/completions").uri();
    }

    /** Runs one request on the lease's connection to its end, which gives the connection back to its pool. */
    private void completeOn(UpstreamConnections.Lease lease) {
        var client = io.helidon.webclient.api.WebClient.builder().build()
                .client(io.helidon.webclient.http1.Http1Client.PROTOCOL);
        try (var res = client.post().uri(target()).connection(lease.connection()).submit("{}")) {
            assertThat(res.status().code()).isEqualTo(200);
            res.entity().consume();
        }
    }

    private int[] connectionIndexes(int n) throws InterruptedException {
        int[] indexes = new int[n];
        for (int i = 0; i < n; i++) {
            RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(r).as("request %d reached the server", i + 1).isNotNull();
            indexes[i] = r.getConnectionIndex();
        }
        return indexes;
    }

    private Upstream.Call call() {
        Model model = new Model("gpt-4o-mini", "openai", "gpt-4o-mini", Optional.of("sk-test"), Optional.empty(),
                server.url("/v1").toString().replaceAll("/$", ""), Optional.empty(), 128_000, 16_384);
        ObjectNode body = JSON.createObjectNode().put("model", "gpt-4o-mini");
        body.putArray("messages").addObject().put("role", "user").put("content", "hi");
        return new Upstream.Call(model, body, Duration.ofSeconds(5));
    }

    private static MockResponse completion() {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1741569952,\"model\":"
                        + "\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                        + "\"hello\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,"
                        + "\"completion_tokens\":3,\"total_tokens\":15}}")
                .build();
    }
}
