package dev.costwise.llm.orchestration;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.PriceStatus;
import java.time.Duration;
import java.util.Objects;

/**
 * What a delegated executor returned, with what it cost.
 *
 * @param executorModel the executor that answered
 * @param content the answer's text
 * @param usage tokens the call used
 * @param cost what the call cost
 * @param priceStatus how the cost is known (priced, free tier…)
 * @param latency how long the call took, on the context's ticker
 * @param response the full chat response
 */
public record DelegationResponse(String executorModel, String content, Usage usage, Money cost,
        PriceStatus priceStatus, Duration latency, ChatResponse response) {

    public DelegationResponse {
        Objects.requireNonNull(executorModel, "executorModel");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(cost, "cost");
        Objects.requireNonNull(priceStatus, "priceStatus");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(response, "response");
    }
}
