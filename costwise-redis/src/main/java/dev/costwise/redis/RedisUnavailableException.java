package dev.costwise.redis;

import dev.costwise.core.CostwiseException;

/**
 * Redis could not be reached (or is known to be down and was not even tried). The stores in this package catch it
 * and fall back to local state; it only escapes from {@link RedisConnection} used directly.
 */
public final class RedisUnavailableException extends CostwiseException {

    private static final long serialVersionUID = 1L;

    RedisUnavailableException(String message, Throwable cause) {
        super(message, cause, cause != null);
    }
}
