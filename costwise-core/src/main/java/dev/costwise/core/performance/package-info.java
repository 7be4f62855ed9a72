/**
 * Performance primitives: {@link dev.costwise.core.performance.ResponseCache} (Caffeine, single-flight, TTL and size
 * bounds, money saved) and {@link dev.costwise.core.performance.Throttle} (a bulkhead).
 */
package dev.costwise.core.performance;
