package dev.costwise.llm.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.core.DeadlineExceededException;
import dev.costwise.core.FailureClassifier;
import dev.costwise.core.FailureVerdict;
import dev.costwise.core.recovery.AllFallbacksFailedException;
import dev.costwise.core.recovery.TimeoutExceededException;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.ProviderException.Details;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ProviderFailureClassifierTest {

    private static final Details D = Details.of("openai", "gpt-4o", 429);
    private final ProviderFailureClassifier classifier = ProviderFailureClassifier.ofDefaults();

    @Test
    void givenRateLimitWithRetryAfter_whenClassified_thenRetryableFallbackableWithTheHint() {
        FailureVerdict v = classifier.classify(
                new ProviderException.RateLimited(D, "slow down", Optional.of(Duration.ofSeconds(7))));

        assertThat(v).isEqualTo(new FailureVerdict(true, true, Optional.of(Duration.ofSeconds(7)), "rate_limited"));
    }

    @Test
    void givenOverloadedWithoutRetryAfter_whenClassified_thenTransientWithoutHint() {
        assertThat(classifier.classify(new ProviderException.Overloaded(D, "busy", Optional.empty())))
                .isEqualTo(FailureVerdict.transientFailure("overloaded"));
    }

    @Test
    void givenOtherTransientKinds_whenClassified_thenRetryableAndFallbackable() {
        assertThat(classifier.classify(new ProviderException.ServerError(D, "500")))
                .isEqualTo(FailureVerdict.transientFailure("server_error"));
        assertThat(classifier.classify(new ProviderException.ProviderTimeout(D, "request", Duration.ofSeconds(30))))
                .isEqualTo(FailureVerdict.transientFailure("timeout"));
        assertThat(classifier.classify(new ProviderException.ConnectionFailed(D, "reset", null)))
                .isEqualTo(FailureVerdict.transientFailure("connection"));
        assertThat(classifier.classify(new ProviderException.MalformedResponse(D, "bad json", null)))
                .isEqualTo(FailureVerdict.transientFailure("malformed_response"));
    }

    @Test
    void givenAnAttemptsOwnTimeout_whenClassified_thenTransientButTheCallersDeadlineStaysFatal() {
        assertThat(classifier.classify(new TimeoutExceededException("openai-timeout", Duration.ofSeconds(5))))
                .isEqualTo(FailureVerdict.transientFailure("timeout"));
        assertThat(classifier.classify(new DeadlineExceededException("openai-timeout", Duration.ofSeconds(5))))
                .extracting(FailureVerdict::retryable, FailureVerdict::fallbackable).containsExactly(false, false);
    }

    @Test
    void givenContextLengthOrQuota_whenClassified_thenFallbackOnly() {
        assertThat(classifier.classify(new ProviderException.ContextLengthExceeded(D, "too long")))
                .isEqualTo(FailureVerdict.fallbackOnly("context_length"));
        assertThat(classifier.classify(new ProviderException.QuotaExhausted(D, "insufficient_quota")))
                .isEqualTo(FailureVerdict.fallbackOnly("quota_exhausted"));
    }

    @Test
    void givenCallersMistakes_whenClassified_thenFatal() {
        assertThat(classifier.classify(new ProviderException.InvalidRequest(D, "bad")))
                .isEqualTo(FailureVerdict.fatal("invalid_request"));
        assertThat(classifier.classify(new ProviderException.AuthenticationFailed(D, "bad key")))
                .isEqualTo(FailureVerdict.fatal("authentication"));
        assertThat(classifier.classify(new ProviderException.PermissionDenied(D, "no")))
                .isEqualTo(FailureVerdict.fatal("permission"));
        assertThat(classifier.classify(new ProviderException.NotFound(D, "no model")))
                .isEqualTo(FailureVerdict.fatal("not_found"));
        assertThat(classifier.classify(new ProviderException.ContentFiltered(D, "unsafe")))
                .isEqualTo(FailureVerdict.fatal("content_filtered"));
    }

    @Test
    void givenProviderFailureWrappedByAsyncCode_whenClassified_thenTheCauseIsJudged() {
        Throwable wrapped = new CompletionException(new ProviderException.ServerError(D, "502"));

        assertThat(classifier.classify(wrapped)).isEqualTo(FailureVerdict.transientFailure("server_error"));
    }

    @Test
    void givenNonProviderFailures_whenClassifiedByDefault_thenIoIsTransientAndBugsAreFatal() {
        assertThat(classifier.classify(new IOException("reset")).retryable()).isTrue();
        assertThat(classifier.classify(new IllegalStateException("bug")))
                .isEqualTo(FailureVerdict.fatal("IllegalStateException"));
        assertThat(classifier.classify(new InterruptedException())).isEqualTo(FailureVerdict.fatal("interrupted"));
    }

    @Test
    void givenConfiguredFallbackClassifier_whenNonProviderFailure_thenItDecides() {
        ProviderFailureClassifier lenient = ProviderFailureClassifier.withFallback(FailureClassifier.anyException());

        assertThat(lenient.classify(new IllegalStateException("flaky")).retryable()).isTrue();
        assertThat(lenient.classify(new ProviderException.InvalidRequest(D, "bad")).fallbackable()).isFalse();
    }

    private static AllFallbacksFailedException allFailed(Throwable primary, Throwable backup) {
        Map<String, Throwable> causes = new LinkedHashMap<>();
        causes.put("primary", primary);
        causes.put("backup", backup);
        return new AllFallbacksFailedException("chain", causes, Map.of());
    }

    @Test
    void givenEveryFallbackFailed_whenClassified_thenRetryableIfAnyCauseIsAfterTheShortestHintOfOne() {
        ProviderException limited3s = new ProviderException.RateLimited(D, "slow", Optional.of(Duration.ofSeconds(3)));
        ProviderException limited10s = new ProviderException.RateLimited(D, "slow",
                Optional.of(Duration.ofSeconds(10)));

        assertThat(classifier.classify(allFailed(limited3s, new ProviderException.Overloaded(D, "busy",
                Optional.empty())))).isEqualTo(FailureVerdict.transientFailure("rate_limited")
                .withRetryAfter(Duration.ofSeconds(3)));
        assertThat(classifier.classify(allFailed(limited10s, limited3s)).retryAfter()).contains(Duration.ofSeconds(3));
        assertThat(classifier.classify(allFailed(limited3s, new ProviderException.ContextLengthExceeded(D, "long"))))
                .isEqualTo(FailureVerdict.transientFailure("rate_limited").withRetryAfter(Duration.ofSeconds(3)));
        assertThat(classifier.classify(allFailed(new ProviderException.QuotaExhausted(D, "quota"),
                new ProviderException.ContextLengthExceeded(D, "long"))))
                .isEqualTo(FailureVerdict.fallbackOnly("context_length"));
        assertThat(FailureClassifier.ofDefaults().classify(allFailed(limited3s, new IOException("reset"))))
                .isEqualTo(FailureVerdict.transientFailure("rate_limited").withRetryAfter(Duration.ofSeconds(3)));
    }
}
