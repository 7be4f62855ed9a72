package dev.costwise.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.Money;
import dev.costwise.core.Sleeper;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.http.GatewayException;
import dev.costwise.gateway.upstream.OpenAiCompatibleUpstream;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.routing.PromptClassifier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A wait of the attempt loop (before a retry, for a throttle slot) that is interrupted ends as what interrupted it:
 * the stop's cut-off as {@code shutting_down}, anyone else's interrupt as an interrupted call whose thread keeps its
 * interrupt flag. The provider is OpenAI, faked in its 429 error format.
 */
class AttemptLoopInterruptTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private final UpstreamCutoff cutoff = new UpstreamCutoff();
    private final List<ProviderException> failed = new ArrayList<>();

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted(); // whatever a test left set must not reach the next one
    }

    private GatewayConfig config() {
        return new ConfigLoader(Map.<String, String>of()::get).parse("""
                models:
                  - {name: fast, provider: openai, model: gpt-4o-mini, base_url: %s/v1,
                     price: {input: "1.00", output: "1.00"}}
                defaults:
                  retry: {max_retries: 2, backoff: constant, initial_delay: 100ms, max_delay: 1s}
                """.formatted(upstream.url("/").toString().replaceAll("/$", "")), "test.yaml");
    }

    private AttemptLoop loop(ModelDirectory directory, Map<String, Semaphore> throttles, Sleeper sleeper) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        return new AttemptLoop(directory, throttles, new UpstreamCircuits(directory.models(), Ticker.systemTicker(),
                registry), new GatewayMetrics(registry, directory.callableNames()), Ticker.systemTicker(), sleeper,
                new SplittableRandom(1), Duration.ofSeconds(30), cutoff);
    }

    private AttemptLoop.Journal journal() {
        return new AttemptLoop.Journal() {
            @Override
            public Duration remaining() {
                return Duration.ofSeconds(30);
            }

            @Override
            public void failed(Model model, ProviderException e, Duration latency) {
                failed.add(e);
            }

            @Override
            public Optional<GatewayException.BudgetExceeded> reserveFor(Model model) {
                return Optional.empty();
            }
        };
    }

    /** Runs one request for {@code fast} through {@code loop}, against the fake provider. */
    private Throwable run(AttemptLoop loop, ModelDirectory directory) {
        Model fast = directory.model("fast").orElseThrow();
        ObjectNode body = (ObjectNode) JSON.createObjectNode().put("model", "fast")
                .set("messages", JSON.createArrayNode().add(JSON.createObjectNode().put("role", "user")
                        .put("content", "hi")));
        Plan plan = new Plan("fast", directory.pipeline("fast").orElseThrow(), new RouteSelector.Choice("default",
                Optional.empty(), new PromptClassifier.Classification("unclassified", 2, "no routing rules")),
                List.of(fast), body, 10, 100, Money.ZERO);
        OpenAiCompatibleUpstream openAi = new OpenAiCompatibleUpstream(JSON, Duration.ofSeconds(5));
        return catchThrowable(() -> loop.run(plan, journal(), (m, call) -> openAi.complete(call)));
    }

    /** OpenAI's 429 with no retry-after: a retry follows after the backoff. */
    private void enqueueRateLimited() {
        upstream.enqueue(new MockResponse.Builder().code(429).addHeader("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"Rate limit reached for gpt-4o-mini\",\"type\":\"requests\","
                        + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}").build());
    }

    @Test
    void givenARetryWaitInterruptedByAnotherThanTheCutOff_whenRun_thenTheRequestEndsInterruptedWithItsFlagClear() {
        enqueueRateLimited();
        ModelDirectory directory = new ModelDirectory(config());
        // a wait someone other than the stop interrupts, as Thread.sleep ends: the flag cleared, the exception thrown
        Sleeper interruptedWait = d -> {
            throw new InterruptedException("sleep interrupted");
        };

        Throwable thrown = run(loop(directory, Map.of(), interruptedWait), directory);

        assertThat(thrown).isInstanceOf(GatewayException.Interrupted.class)
                .hasMessage("the request was interrupted while it waited (retry of fast); retry it")
                .cause().isInstanceOf(CallInterruptedException.class);
        assertThat(Thread.currentThread().isInterrupted()).as("the request ended: the ledger's sockets stay open")
                .isFalse();
        assertThat(failed).singleElement().isInstanceOf(ProviderException.RateLimited.class);
        assertThat(upstream.getRequestCount()).as("no retry after the interrupt").isEqualTo(1);
    }

    @Test
    void givenARetryWaitEndedByTheStopsCutOff_whenRun_thenTheRequestIsShuttingDownAndTheInterruptCleared() {
        enqueueRateLimited();
        ModelDirectory directory = new ModelDirectory(config());
        // the stop's grace ends during the wait: its cut interrupts the waiting thread, and the wait ends as sleep's
        Sleeper cutDuringWait = d -> {
            cutoff.cut();
            if (Thread.interrupted()) {
                throw new InterruptedException("sleep interrupted");
            }
        };

        Throwable thrown = run(loop(directory, Map.of(), cutDuringWait), directory);

        assertThat(thrown).isInstanceOf(GatewayException.ShuttingDown.class);
        assertThat(Thread.currentThread().isInterrupted()).as("the cut's interrupt did its work").isFalse();
        assertThat(upstream.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenAThrottleWaitInterruptedByAnotherThanTheCutOff_whenRun_thenTheRequestEndsInterruptedWithItsFlagClear() {
        ModelDirectory directory = new ModelDirectory(config());
        AttemptLoop loop = loop(directory, Map.of("openai", new Semaphore(0)), d -> { });
        Thread.currentThread().interrupt(); // interrupted as it comes to wait for a slot

        Throwable thrown = run(loop, directory);

        assertThat(thrown).isInstanceOf(GatewayException.Interrupted.class)
                .hasMessageContaining("(openai throttle)").cause().isInstanceOf(CallInterruptedException.class);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(upstream.getRequestCount()).as("never called").isZero();
    }
}
