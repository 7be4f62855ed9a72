/**
 * Recovery primitives: {@link dev.costwise.core.recovery.Retry}, {@link dev.costwise.core.recovery.Fallback},
 * {@link dev.costwise.core.recovery.Timeout}, {@link dev.costwise.core.recovery.CircuitBreaker},
 * {@link dev.costwise.core.recovery.Compensation} and the per-request
 * {@link dev.costwise.core.recovery.AttemptBudget}.
 *
 * <p>A typical order, outermost first: {@code Fallback(targets = CircuitBreaker(Retry(Timeout(call))))}. The timeout
 * bounds each attempt, the retry repeats transient failures within the request's deadline and retry budget, the
 * breaker stops calling a dependency that keeps failing, and the fallback moves to the next target. An
 * {@code AttemptBudget} in the context bounds the calls of the whole request.
 *
 * <p>For work whose outcome comes after the call that starts it (a stream read chunk by chunk), a circuit breaker
 * gives a {@link dev.costwise.core.recovery.CircuitBreaker#acquirePermission permission} to report it to later, and a
 * timeout a {@link dev.costwise.core.recovery.Timeout#start bound} that stops the work by closing what it reads.
 */
package dev.costwise.core.recovery;
