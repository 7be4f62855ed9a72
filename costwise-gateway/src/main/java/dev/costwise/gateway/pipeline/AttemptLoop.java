package dev.costwise.gateway.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.costwise.core.Sleeper;
import dev.costwise.core.recovery.CircuitBreaker;
import dev.costwise.core.recovery.RetryBudget;
import dev.costwise.core.recovery.RetryConfig;
import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.gateway.config.GatewayConfig.RetrySettings;
import dev.costwise.gateway.http.GatewayException;
import dev.costwise.gateway.upstream.Upstream;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.UnsupportedRequestException;
import dev.costwise.llm.resilience.CallersFault;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * {@code Fallback(Retry(Throttle(Timeout(call))))} for one request: candidates in order; per candidate, retries of
 * transient failures with core's backoff ({@link RetryConfig#delayFor}: strategy, ±20% jitter, cap; a provider's
 * {@code Retry-After} wins when longer), never sleeping past the request's deadline, and within core's
 * {@link RetryBudget} per provider (by default retries at most 20% of first attempts over 10 s, plus 10 a second;
 * {@code retry.budget_ratio} and {@code retry.budget_min_per_second}), so an outage does not multiply the traffic
 * sent to a provider. While a fallback is left untried, a timed-out attempt is not retried at once (a provider that
 * hung is likely hung still), nor is a retry started without the time for a whole attempt: the fallbacks go first,
 * and those retries follow them if the deadline leaves time. A context-length error jumps once to the pipeline's
 * larger-window model; a caller's mistake (invalid request, content filter) ends the loop at once. A candidate whose
 * circuit is open ({@link UpstreamCircuits}) is skipped, and one whose circuit opens during its retries is left for the
 * next. Before a candidate is first called, the {@link Journal} moves the request's budget reservation to it (its own
 * prices, its own model budgets), and before a retry it reserves again if a billed failure settled it; a candidate (or
 * a retry) no budget has room for is skipped. Every failed attempt is reported to the {@link Journal}. Once a stop has
 * cut off the upstream calls ({@link UpstreamCutoff}), the loop ends with {@link GatewayException.ShuttingDown}: no
 * retry, wait or fallback starts. Anyone else's interrupt of a wait (for a retry, for a throttle slot) ends it with a
 * {@link GatewayException.Interrupted} ({@link UpstreamCutoff#interrupted}). Thread-safe; one instance serves every
 * request.
 */
final class AttemptLoop {
    private final ModelDirectory directory;
    private final Map<String, java.util.concurrent.Semaphore> throttles;
    private final UpstreamCircuits circuits;
    private final GatewayMetrics metrics;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final Duration requestTimeout;
    private final UpstreamCutoff cutoff;
    private final ConcurrentHashMap<RetrySettings, RetryConfig> retryConfigs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<BudgetKey, RetryBudget> retryBudgets = new ConcurrentHashMap<>();

    /** A candidate whose retries wait until every fallback was tried, and the number of its next retry. */
    /** A retry put off until the fallbacks were tried; it still waits out its backoff, until {@code notBefore}. */
    private record Deferred(Model model, int retries, long notBefore) {}

    /** One retry budget per provider and budget settings: pipelines with the same settings share it. */
    private record BudgetKey(String provider, double ratio, int minPerSecond) {}

    /** What the loop needs from the request it serves. */
    interface Journal {
        /** @return the time left before the request's deadline */
        Duration remaining();

        /** Records a failed attempt (a ledger row). */
        void failed(Model model, ProviderException e, Duration latency);

        /**
         * Makes the request's budget reservation hold for {@code model} before it is called: a fallback may cost more
         * than the model reserved for, and has model budgets of its own; a retry after a failed attempt its provider
         * billed, which settled the reservation, is held again. A no-op when the reservation already holds for it.
         *
         * @param model the candidate about to be tried
         * @return empty when it may be called; else the budget without room for it
         */
        Optional<GatewayException.BudgetExceeded> reserveFor(Model model);
    }

    AttemptLoop(ModelDirectory directory, Map<String, java.util.concurrent.Semaphore> throttles,
            UpstreamCircuits circuits, GatewayMetrics metrics, Ticker ticker, Sleeper sleeper, RandomGenerator random,
            Duration requestTimeout, UpstreamCutoff cutoff) {
        this.directory = directory;
        this.throttles = Map.copyOf(throttles);
        this.circuits = circuits;
        this.metrics = metrics;
        this.ticker = ticker;
        this.sleeper = sleeper;
        this.random = random;
        this.requestTimeout = requestTimeout;
        this.cutoff = cutoff;
    }

    /** One call of one model. */
    interface Attempt<T> {
        T run(Model model, Upstream.Call call);
    }

    /**
     * The call that succeeded, with when it started and how long it took.
     *
     * @param release gives back the provider's throttle slot; a no-op unless the slot was kept for the caller
     */
    record Attempted<T>(Model model, T value, long startedNanos, Duration latency, Runnable release) {}

    private static final Runnable NOTHING_HELD = () -> { };

    /**
     * Tries the plan's candidates in order, each with its retries, until one answers.
     *
     * @param plan the candidates, retry settings and timeout
     * @param r the request's deadline and failure log
     * @param attempt one call
     * @param <T> the call's result
     * @return the successful call
     * @throws GatewayException.UpstreamFailed with every cause when none answered, or at once on a caller's mistake
     */
    <T> Attempted<T> run(Plan plan, Journal r, Attempt<T> attempt) {
        return run(plan, r, attempt, false);
    }

    /**
     * Like {@link #run}, but the successful call keeps its provider's throttle slot until the caller runs
     * {@link Attempted#release()}: a stream occupies the provider until its last chunk, not only until its first.
     */
    <T> Attempted<T> runKeepingSlot(Plan plan, Journal r, Attempt<T> attempt) {
        return run(plan, r, attempt, true);
    }

    private <T> Attempted<T> run(Plan plan, Journal r, Attempt<T> attempt, boolean keepSlot) {
        List<ProviderException> causes = new ArrayList<>();
        List<GatewayException.NotTried> notTried = new ArrayList<>();
        Deque<Model> queue = new ArrayDeque<>(plan.candidates());
        boolean widened = false;
        RetrySettings retry = plan.pipeline().retry();
        RetryConfig backoff = retryConfigs.computeIfAbsent(retry, this::toCore);
        Deque<Deferred> deferred = new ArrayDeque<>();
        while (!queue.isEmpty() || !deferred.isEmpty()) {
            int firstTry = 0;
            Model m;
            if (queue.isEmpty()) {
                // Every fallback was tried: the retries put off for them take the time left, if any.
                Deferred put = deferred.poll();
                if (!r.remaining().isPositive()) {
                    break;
                }
                m = put.model();
                firstTry = put.retries();
                Duration wait = Duration.ofNanos(put.notBefore() - ticker.read());
                if (wait.compareTo(r.remaining()) >= 0) {
                    continue; // its Retry-After or backoff outlasts the request
                }
                if (wait.isPositive()) {
                    sleep(wait, m);
                }
            } else {
                m = queue.poll();
            }
            Optional<List<Model>> larger = widened || firstTry > 0 ? Optional.empty() : largerWindow(plan, m);
            if (larger.isPresent()) {
                // The provider would refuse the prompt with a 400: go straight to the larger window, uncalled.
                widened = true;
                notTried.add(new GatewayException.NotTried(m.name(), "the prompt's estimated "
                        + plan.estimatedInputTokens() + " tokens do not fit its " + m.contextWindow()
                        + "-token context window", Optional.empty()));
                queue.clear();
                queue.addAll(larger.get());
                continue;
            }
            Optional<CircuitBreaker> breaker = circuits.of(m.name());
            RetryBudget budget = retryBudgets.computeIfAbsent(new BudgetKey(m.provider(), retry.budgetRatio(),
                    retry.budgetMinPerSecond()), k -> RetryBudget.builder().ratio(k.ratio())
                    .minRetriesPerSecond(k.minPerSecond()).ticker(ticker).build());
            if (firstTry > 0 && !budget.tryWithdraw()) {
                metrics.retryRefused(m.name());
                continue;
            }
            Optional<CircuitBreaker.Permission> permission = firstTry > 0 ? Optional.empty()
                    : breaker.flatMap(CircuitBreaker::tryAcquirePermission);
            if (firstTry == 0 && breaker.isPresent() && permission.isEmpty()) {
                metrics.circuitSkipped(m.name());
                notTried.add(new GatewayException.NotTried(m.name(), new GatewayException.CircuitOpen(m.name(),
                        breaker.get().remainingOpenDuration())));
                continue;
            }
            Optional<GatewayException.BudgetExceeded> refused = firstTry > 0 ? Optional.empty() : r.reserveFor(m);
            if (refused.isPresent()) {
                permission.ifPresent(CircuitBreaker.Permission::release);
                notTried.add(new GatewayException.NotTried(m.name(), refused.get()));
                continue;
            }
            if (firstTry == 0) {
                budget.recordCall();
            }
            for (int retries = firstTry; ; retries++) {
                Optional<GatewayException.BudgetExceeded> noRoom = retries > 0 ? r.reserveFor(m) : Optional.empty();
                if (noRoom.isPresent()) {
                    // the failed attempt its provider billed spent what the retry needed
                    notTried.add(new GatewayException.NotTried(m.name(), "its retry: " + noRoom.get().getMessage(),
                            Optional.of(noRoom.get())));
                    break;
                }
                if (retries > 0 && breaker.isPresent()) {
                    permission = breaker.get().tryAcquirePermission();
                    if (permission.isEmpty()) {
                        metrics.circuitSkipped(m.name());
                        break; // the retries opened the circuit: fall back
                    }
                }
                Duration remaining = r.remaining();
                if (remaining.isNegative() || remaining.isZero()) {
                    permission.ifPresent(CircuitBreaker.Permission::release);
                    // Only calls made count as attempts; the rest are named as not tried for lack of time.
                    List<String> uncalled = new ArrayList<>();
                    if (retries == 0) {
                        uncalled.add(m.name());
                    }
                    queue.forEach(left -> uncalled.add(left.name()));
                    throw new GatewayException.UpstreamFailed(causes, notTried, Optional.of(
                            new GatewayException.OutOfTime(requestTimeout, uncalled)));
                }
                Duration timeout = plan.pipeline().timeout().compareTo(remaining) < 0 ? plan.pipeline().timeout()
                        : remaining;
                // The cache key was taken before any attempt, so the body can be reused in place.
                plan.body().put("model", m.upstreamModel());
                ObjectNode body = OutputLimits.forAttempt(ServiceTiers.forAttempt(reasoningFor(plan, m), m), m,
                        plan.outputLimitOn(m));
                long t0 = ticker.read();
                java.util.concurrent.Semaphore throttle = throttles.get(m.provider());
                boolean called = false;
                try {
                    acquire(throttle, m, timeout);
                    boolean kept = false;
                    try {
                        // The wait for a throttle slot is part of the attempt's time, not added to it.
                        Duration left = timeout.minus(elapsed(t0));
                        if (left.isNegative() || left.isZero()) {
                            throw new ProviderException.ProviderTimeout(ProviderException.Details.of(m.provider(),
                                    m.name()), "no time left after waiting for a throttle slot", timeout);
                        }
                        called = true;
                        T value = attempt.run(m, new Upstream.Call(m, body, left, r.remaining(), retry.maxDelay()));
                        permission.ifPresent(CircuitBreaker.Permission::onSuccess);
                        kept = keepSlot && throttle != null;
                        return new Attempted<>(m, value, t0, elapsed(t0), kept ? releaseOnce(throttle)
                                : NOTHING_HELD);
                    } finally {
                        if (throttle != null && !kept) {
                            throttle.release();
                        }
                    }
                } catch (ProviderException e) {
                    // Our own throttle's refusals say nothing about the provider.
                    if (permission.isPresent() && called) {
                        permission.get().onFailure(e);
                    } else {
                        permission.ifPresent(CircuitBreaker.Permission::release);
                    }
                    causes.add(e);
                    r.failed(m, e, elapsed(t0));
                    metrics.upstreamFailure(m.name(), e.kind());
                    if (cutoff.isCut()) {
                        throw new GatewayException.ShuttingDown(); // the stop's grace is over: no retry, no fallback
                    }
                    if (e instanceof ProviderException.ContextLengthExceeded && !widened
                            && plan.pipeline().contextWindowFallback().isPresent()) {
                        widened = true;
                        queue.clear();
                        deferred.clear();
                        directory.expand(plan.pipeline().contextWindowFallback().get()).forEach(queue::add);
                        break;
                    }
                    if (isCallersFault(e)) {
                        throw failure(causes, notTried);
                    }
                    if (!e.isTransient() || retries >= retry.maxRetries()) {
                        break;
                    }
                    Duration delay = backoff.delayFor(retries + 1, e.retryAfter().orElse(null));
                    if (delay.compareTo(r.remaining()) >= 0) {
                        break;
                    }
                    if (!queue.isEmpty() && (e instanceof ProviderException.ProviderTimeout
                            || r.remaining().minus(delay).compareTo(plan.pipeline().timeout()) < 0)) {
                        // Fallbacks first: a provider that hung is likely hung still, and a retry without the time
                        // for a whole attempt would spend the fallbacks' time. It runs after them if time is left.
                        deferred.add(new Deferred(m, retries + 1, ticker.read() + delay.toNanos()));
                        break;
                    }
                    if (!budget.tryWithdraw()) {
                        metrics.retryRefused(m.name());
                        break; // the provider's retry budget is spent: fall back instead of adding load
                    }
                    sleep(delay, m);
                } catch (UnsupportedRequestException e) {
                    // The adapter refused before sending: not a failed call (no ledger row, no failure counted),
                    // and another model of the pipeline may take the request as it is.
                    permission.ifPresent(CircuitBreaker.Permission::release);
                    notTried.add(new GatewayException.NotTried(m.name(),
                            GatewayException.InvalidField.unsupportedBy(m.name(), e)));
                    break;
                } catch (RuntimeException e) {
                    permission.ifPresent(CircuitBreaker.Permission::release);
                    throw e;
                }
            }
        }
        throw failure(causes, notTried);
    }

    /**
     * @return the pipeline's {@code context_window_fallback} models, if the gateway's own estimate of the prompt
     *     (which errs high) is more than {@code m}'s context window and the fallback names another model
     */
    Optional<List<Model>> largerWindow(Plan plan, Model m) {
        if (plan.estimatedInputTokens() <= m.contextWindow() || plan.pipeline().contextWindowFallback().isEmpty()) {
            return Optional.empty();
        }
        List<Model> larger = directory.expand(plan.pipeline().contextWindowFallback().get());
        return larger.stream().anyMatch(l -> !l.equals(m)) ? Optional.of(larger) : Optional.empty();
    }

    /**
     * @return the plan's body with the reasoning model {@code m} is sent (Anthropic's effort as its provider takes it,
     *     {@link OutputEffort}): none for a model that ignores it, else lowered to the cap of {@code m}'s own pipeline
     *     entry, whichever name reached it
     */
    ObjectNode reasoningFor(Plan plan, Model m) {
        ObjectNode body = OutputEffort.forAttempt(plan.body(), m);
        return directory.ignoresReasoning(m) ? ReasoningSettings.without(body)
                : ReasoningSettings.cappedCopy(body, directory.reasoningCap(m));
    }

    /** @return why no candidate answered: the upstreams' failures, or a budget's refusal when none was called */
    private static GatewayException failure(List<ProviderException> causes, List<GatewayException.NotTried> notTried) {
        Optional<GatewayException> refusal = notTried.stream().flatMap(n -> n.refusal().stream()).findFirst();
        if (causes.isEmpty() && refusal.isPresent()) {
            return refusal.get();
        }
        return new GatewayException.UpstreamFailed(causes, notTried, Optional.empty());
    }

    /** Waits for a slot of the provider's throttle, no longer than the attempt may take. */
    private void acquire(java.util.concurrent.Semaphore throttle, Model m, Duration wait) {
        if (throttle == null) {
            return;
        }
        try {
            if (!throttle.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new ProviderException.Overloaded(ProviderException.Details.of(m.provider(), m.name()),
                        "throttled: every slot of the '" + m.provider() + "' throttle stayed busy for "
                                + wait.toMillis() + " ms", Optional.empty());
            }
        } catch (InterruptedException e) {
            throw cutoff.interrupted(e, m.provider() + " throttle");
        }
    }

    private static Runnable releaseOnce(java.util.concurrent.Semaphore throttle) {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                throttle.release();
            }
        };
    }

    /** @return {@code true} for failures that are the request's own: no fallback or circuit counts them */
    static boolean isCallersFault(ProviderException e) {
        return CallersFault.is(e);
    }

    /** The pipeline's retry settings as core's config: same backoff, jitter and cap as {@code Retry}. */
    private RetryConfig toCore(RetrySettings s) {
        dev.costwise.core.recovery.Backoff strategy = switch (s.backoff()) {
            case CONSTANT -> dev.costwise.core.recovery.Backoff.constant();
            case LINEAR -> dev.costwise.core.recovery.Backoff.linear();
            case EXPONENTIAL -> dev.costwise.core.recovery.Backoff.exponential();
        };
        return RetryConfig.builder().maxRetries(s.maxRetries()).backoff(strategy).initialDelay(s.initialDelay())
                .maxDelay(s.maxDelay()).random(random).sleeper(sleeper).build();
    }

    /** Waits before a retry; the stop's cut ends the wait, and no retry follows. */
    private void sleep(Duration d, Model m) {
        try (UpstreamCutoff.Inside waiting = cutoff.enter()) {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            throw cutoff.interrupted(e, "retry of " + m.name());
        }
    }

    private Duration elapsed(long startNanos) {
        return Duration.ofNanos(ticker.read() - startNanos);
    }

}
