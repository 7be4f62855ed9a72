/**
 * LLM knowledge for core's recovery primitives, and the chat-model form of them.
 *
 * <p>{@link dev.costwise.llm.resilience.ProviderFailureClassifier} tells {@code Retry} and {@code Fallback} which
 * provider failures to retry, fall back on, or give up on, and
 * {@link dev.costwise.llm.resilience.ContextWindowFallback} picks a larger-window model after a context-length error.
 *
 * <p>A core decorator's {@code wrap(model)} turns a chat model into a plain {@code Primitive}, which cannot stream. The
 * decorators here keep it a {@link dev.costwise.llm.chat.ChatModel}, reusing the core instances (their configs, state,
 * records and metrics), so that {@code stream} is protected as well as {@code execute}:
 * {@link dev.costwise.llm.resilience.RetryingChatModel}, {@link dev.costwise.llm.resilience.CircuitBreakingChatModel},
 * {@link dev.costwise.llm.resilience.TimeLimitedChatModel}, {@link dev.costwise.llm.resilience.FallbackChatModel}, and
 * {@link dev.costwise.llm.resilience.ResilientChatModel}, which stacks the first three in the usual order. Until a
 * stream's first chunk reaches its reader, the stream is retried and falls back exactly as a call does; after it, a
 * failure reaches the reader unchanged, because the chunks already read cannot be unsent. A circuit breaker counts a
 * stream when it ends, and a timeout bounds a stream's first chunk and its end, closing the upstream on expiry.
 *
 * <pre>{@code
 * ChatModel llm = FallbackChatModel.builder("llm")
 *     .primary("gpt-4o", ResilientChatModel.builder(gpt4o).retry(retry).circuitBreaker(breaker).build())
 *     .fallback("claude", claude)
 *     .build();
 * try (ChatStream s = llm.stream(request, ctx)) {
 *     s.forEachRemaining(chunk -> ui.append(chunk.contentDelta()));
 * }
 * }</pre>
 */
package dev.costwise.llm.resilience;
