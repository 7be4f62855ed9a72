/**
 * LLM knowledge for core's recovery primitives: {@link dev.costwise.llm.resilience.ProviderFailureClassifier} tells
 * {@code Retry} and {@code Fallback} which provider failures to retry, fall back on, or give up on, and
 * {@link dev.costwise.llm.resilience.ContextWindowFallback} picks a larger-window model after a context-length error.
 */
package dev.costwise.llm.resilience;
