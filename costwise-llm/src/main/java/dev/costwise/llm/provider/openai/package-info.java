/**
 * OpenAI-compatible chat providers (OpenAI, Groq, OpenRouter, DeepSeek, Together, Hugging Face router, vLLM,
 * llama.cpp): {@link dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel} with the presets of
 * {@link dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint}, and the status-and-body error mapping of
 * {@link dev.costwise.llm.provider.openai.OpenAiErrorMapper}.
 */
package dev.costwise.llm.provider.openai;
