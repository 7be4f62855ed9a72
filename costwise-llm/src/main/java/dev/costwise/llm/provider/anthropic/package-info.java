/**
 * Anthropic's Messages API as a Costwise {@link dev.costwise.llm.chat.ChatModel}: {@link
 * dev.costwise.llm.provider.anthropic.AnthropicChatModel}, with optional prompt-cache breakpoints ({@link
 * dev.costwise.llm.provider.anthropic.AnthropicPromptCaching}). The package-private mappers translate the canonical
 * OpenAI-shaped request and read responses, stream events, errors and {@code anthropic-ratelimit-*} headers.
 */
package dev.costwise.llm.provider.anthropic;
