package dev.costwise.llm.alert;

/**
 * What a queued alert sink did so far.
 *
 * @param delivered alerts the endpoint accepted (HTTP 2xx)
 * @param failed alerts given up on: refused (4xx other than 429) or still failing after the last attempt
 * @param dropped alerts not queued because the queue was full
 * @param retries attempts repeated after a failure (5xx, 429, I/O error)
 */
public record DeliveryStats(long delivered, long failed, long dropped, long retries) {
}
