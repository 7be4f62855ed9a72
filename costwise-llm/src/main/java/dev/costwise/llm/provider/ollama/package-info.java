/** Ollama's native chat API: {@link dev.costwise.llm.provider.ollama.OllamaChatModel}. */
package dev.costwise.llm.provider.ollama;
