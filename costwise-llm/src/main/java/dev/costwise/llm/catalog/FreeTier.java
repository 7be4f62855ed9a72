package dev.costwise.llm.catalog;

import java.util.OptionalLong;

/**
 * The documented limits of a free tier: within them a call costs $0.
 *
 * @param requestsPerMinute RPM limit, if documented
 * @param requestsPerDay RPD limit, if documented
 * @param tokensPerMinute TPM limit, if documented
 * @param tokensPerDay TPD limit, if documented
 */
public record FreeTier(OptionalLong requestsPerMinute, OptionalLong requestsPerDay, OptionalLong tokensPerMinute,
        OptionalLong tokensPerDay) {

    /** A free tier with no documented limits (local models). */
    public static final FreeTier UNLIMITED =
            new FreeTier(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
}
