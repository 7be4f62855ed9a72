package dev.costwise.llm.chat;

import dev.costwise.core.Money;
import dev.costwise.llm.cost.PriceStatus;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A chat completion, with what it cost and where it came from.
 *
 * @param id the completion id ({@code chatcmpl-…} style; the provider's where it gives one)
 * @param requestedModel the model the caller asked for
 * @param model the model that actually answered, as the provider reported it
 * @param provider the provider that answered ({@code openai}, {@code anthropic}, {@code gemini}, {@code sim}…)
 * @param message the assistant message: text and tool calls
 * @param finishReason why the model stopped
 * @param usage tokens used
 * @param cost what this call cost; zero for a cache hit or a free model
 * @param priceStatus how {@code cost} was known: priced from the catalog, reported by the provider, free tier,
 *     unpriced, cache hit
 * @param latency time from sending the request to the last byte
 * @param providerRequestId the provider's request id header, if it sent one (for support tickets)
 * @param modelDowngraded {@code true} when the provider answered with a different model than the one asked for (the
 *     spec's silent Gemini Pro → Flash downgrade)
 * @param stopSequence the stop sequence that ended the answer, when the provider says which (Anthropic does; OpenAI's
 *     {@code stop} does not tell a stop sequence from a natural end); empty otherwise
 */
public record ChatResponse(String id, String requestedModel, String model, String provider, Message message,
        FinishReason finishReason, Usage usage, Money cost, PriceStatus priceStatus, Duration latency,
        Optional<String> providerRequestId, boolean modelDowngraded, Optional<String> stopSequence) {

    public ChatResponse {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(requestedModel, "requestedModel");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(priceStatus, "priceStatus");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(providerRequestId, "providerRequestId");
        Objects.requireNonNull(stopSequence, "stopSequence");
    }

    /** A response whose provider did not say which stop sequence, if any, ended it. */
    public ChatResponse(String id, String requestedModel, String model, String provider, Message message,
            FinishReason finishReason, Usage usage, Money cost, PriceStatus priceStatus, Duration latency,
            Optional<String> providerRequestId, boolean modelDowngraded) {
        this(id, requestedModel, model, provider, message, finishReason, usage, cost, priceStatus, latency,
                providerRequestId, modelDowngraded, Optional.empty());
    }

    /** @return the assistant's text */
    public String text() {
        return message.text();
    }

    /** @return the assistant's tool calls */
    public List<ToolCall> toolCalls() {
        return message.toolCalls();
    }

    /**
     * A copy with another cost (used when a layer above the adapter prices the call, or for a cache hit).
     *
     * @param newCost the cost
     * @param status how it is known
     * @return the copy
     */
    public ChatResponse withCost(Money newCost, PriceStatus status) {
        return new ChatResponse(id, requestedModel, model, provider, message, finishReason, usage, newCost, status,
                latency, providerRequestId, modelDowngraded, stopSequence);
    }
}
