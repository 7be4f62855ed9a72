/**
 * Embedding models: {@link dev.costwise.llm.embedding.EmbeddingModel} with OpenAI-compatible
 * ({@link dev.costwise.llm.embedding.OpenAiCompatibleEmbeddingModel}) and Ollama
 * ({@link dev.costwise.llm.embedding.OllamaEmbeddingModel}) implementations; each call is priced and recorded.
 */
package dev.costwise.llm.embedding;
