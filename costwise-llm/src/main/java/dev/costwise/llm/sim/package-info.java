/**
 * The {@code sim} provider: {@link dev.costwise.llm.sim.SimulatedChatModel} stands in for any catalog chat model with
 * seeded failures, injected latency, deterministic answers and real-model prices, for the cost planner, the offline
 * default and tests; {@link dev.costwise.llm.sim.SimulatedProvider} serves a whole catalog.
 */
package dev.costwise.llm.sim;
