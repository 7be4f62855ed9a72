/**
 * The HTTP layer every provider adapter shares.
 *
 * <ul>
 *   <li>{@link dev.costwise.llm.provider.http.HttpTransport}: send a call, or stream one; implemented over Helidon
 *       SE's WebClient by {@link dev.costwise.llm.provider.http.HelidonHttpTransport} (HTTP/1.1, keep-alive).</li>
 *   <li>{@link dev.costwise.llm.provider.http.GuardedStream}: a streamed response under first-token and total
 *       timeouts, with {@link dev.costwise.llm.provider.http.SseReader} and
 *       {@link dev.costwise.llm.provider.http.NdjsonReader} for the two streaming formats.</li>
 *   <li>{@link dev.costwise.llm.provider.http.AbstractProviderChatModel}: the adapter template (latency, usage
 *       estimate, pricing, downgrade detection, cost records, the assembling
 *       {@link dev.costwise.llm.chat.ChatStream}); a provider writes {@code doChat} and {@code doStream}.</li>
 *   <li>{@link dev.costwise.llm.provider.http.RateLimitSnapshot} and
 *       {@link dev.costwise.llm.provider.http.RateLimitListener}: rate-limit headers for the usage tracker.</li>
 *   <li>{@link dev.costwise.llm.provider.http.ApiKey}: a key whose {@code toString} is redacted.</li>
 * </ul>
 */
package dev.costwise.llm.provider.http;
