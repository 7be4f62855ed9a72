/**
 * Instrumentation: primitives report to a {@link dev.costwise.core.metrics.PrimitiveMetrics} given to their builders
 * ({@code .metrics(collector)}); {@link dev.costwise.core.metrics.MetricsCollector} records into a Micrometer
 * {@code MeterRegistry} and answers {@link dev.costwise.core.metrics.MetricsSnapshot}s by primitive name.
 */
package dev.costwise.core.metrics;
