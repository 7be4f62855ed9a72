/**
 * Usage and rate limits: sliding minute / hour / day windows of requests and tokens per model and provider
 * ({@link dev.costwise.llm.ratelimit.UsageTracker}), fed by real usage and provider rate-limit headers; routing away
 * from a model before its limit ({@link dev.costwise.llm.ratelimit.RateLimitAwareRouter}, the spec's Gemini Pro →
 * Flash); a per-provider concurrency bound ({@link dev.costwise.llm.ratelimit.ProviderConcurrencyLimiter}); and 429
 * cooldowns that move traffic to a fallback at once ({@link dev.costwise.llm.ratelimit.Cooldowns},
 * {@link dev.costwise.llm.ratelimit.CooldownAwareFallback}).
 */
package dev.costwise.llm.ratelimit;
