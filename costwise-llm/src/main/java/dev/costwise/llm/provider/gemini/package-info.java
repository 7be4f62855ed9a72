/**
 * The Gemini API of Google AI Studio: {@link dev.costwise.llm.provider.gemini.GeminiChatModel} for chat (with the
 * model that actually answered read from {@code modelVersion}, so a Pro request answered by Flash is flagged and priced
 * as Flash) and {@link dev.costwise.llm.provider.gemini.GeminiEmbeddingModel} for embeddings. The package-private
 * mappers translate requests and read responses, stream chunks and Google's error bodies ({@code RetryInfo} included).
 */
package dev.costwise.llm.provider.gemini;
