package dev.costwise.llm.ratelimit;

import dev.costwise.core.CostwiseException;
import java.util.Objects;

/** A call waited for a provider's concurrency slot until its deadline passed (or it was interrupted). */
public final class ThrottledException extends CostwiseException {

    private final String provider;
    private final int limit;

    /**
     * @param provider the provider whose slots were all taken
     * @param limit how many concurrent calls it allows
     * @param why what ended the wait
     */
    public ThrottledException(String provider, int limit, String why) {
        super("provider '" + provider + "' has all " + limit + " concurrent call slots taken; " + why, null, false);
        this.provider = Objects.requireNonNull(provider, "provider");
        this.limit = limit;
    }

    /** @return the provider */
    public String provider() {
        return provider;
    }

    /** @return its concurrency limit */
    public int limit() {
        return limit;
    }
}
