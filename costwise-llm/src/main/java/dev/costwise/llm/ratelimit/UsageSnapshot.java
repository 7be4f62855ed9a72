package dev.costwise.llm.ratelimit;

/**
 * Requests and tokens of one model or provider in the sliding minute, hour and day.
 *
 * @param requestsLastMinute requests in the last minute
 * @param tokensLastMinute tokens in the last minute
 * @param requestsLastHour requests in the last hour
 * @param tokensLastHour tokens in the last hour
 * @param requestsLastDay requests in the last day
 * @param tokensLastDay tokens in the last day
 */
public record UsageSnapshot(long requestsLastMinute, long tokensLastMinute, long requestsLastHour,
        long tokensLastHour, long requestsLastDay, long tokensLastDay) {
}
