/**
 * Composition of primitives: {@link dev.costwise.core.composition.Sequential} (the spec's {@code >>}),
 * {@link dev.costwise.core.composition.Parallel} (the spec's {@code |}, fail-fast or collect-all on virtual threads),
 * {@link dev.costwise.core.composition.Conditional} and {@link dev.costwise.core.composition.Router}.
 */
package dev.costwise.core.composition;
