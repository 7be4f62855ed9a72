/**
 * The OpenAI chat-completions JSON codec shared by the OpenAI-compatible adapters and the gateway:
 * {@link dev.costwise.llm.wire.OpenAiWire}, with field-named parse errors
 * ({@link dev.costwise.llm.wire.WireFormatException}).
 */
package dev.costwise.llm.wire;
