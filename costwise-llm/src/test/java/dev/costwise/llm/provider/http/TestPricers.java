package dev.costwise.llm.provider.http;

import dev.costwise.core.Money;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;

/** Fixed prices for tests: $1 per million uncached input tokens, $0.50 cached, $2 output. */
public final class TestPricers {

    /** The fixed pricer. */
    public static final Pricer FIXED = (model, usage) -> new Pricer.Priced(
            Money.ofDollars(1).perMillion(usage.uncachedInputTokens())
                    .plus(Money.of("0.5").perMillion(usage.cachedInputTokens()))
                    .plus(Money.ofDollars(2).perMillion(usage.outputTokens())),
            PriceStatus.PRICED);

    private TestPricers() {}

    /**
     * @param input uncached input tokens
     * @param cached cached input tokens
     * @param output output tokens
     * @return what {@link #FIXED} charges
     */
    public static Money cost(long input, long cached, long output) {
        return Money.ofDollars(1).perMillion(input).plus(Money.of("0.5").perMillion(cached))
                .plus(Money.ofDollars(2).perMillion(output));
    }
}
