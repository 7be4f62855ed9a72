package dev.costwise.llm.budget;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.Capability;
import dev.costwise.llm.catalog.FreeTier;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelInfo;
import dev.costwise.llm.catalog.ModelKind;
import dev.costwise.llm.catalog.Pricing;
import dev.costwise.llm.catalog.UnknownModelException;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.TokenEstimator;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

/** A tiny catalog, estimator and fake provider model for tests. Our own classes run for real around them. */
public final class TestModels {

    /** gpt-4o prices: $2.50 in, $10.00 out per million; 4,096 output tokens at most. */
    public static final ModelInfo PREMIUM = model("premium-model", "openai", Optional.of(Pricing.of("2.50", "10.00")),
            4096, Optional.empty());
    /** gpt-4o-mini prices. */
    public static final ModelInfo MID = model("mid-model", "openai", Optional.of(Pricing.of("0.15", "0.60")), 4096,
            Optional.empty());
    /** A local model: $0. */
    public static final ModelInfo FREE = model("free-model", "ollama", Optional.of(Pricing.FREE), 4096,
            Optional.of(FreeTier.UNLIMITED));
    /** A free tier with documented limits. */
    public static final ModelInfo GEMINI_PRO_FREE = model("gemini-pro:free", "gemini", Optional.of(Pricing.FREE), 8192,
            Optional.of(new FreeTier(OptionalLong.of(5), OptionalLong.of(100), OptionalLong.of(250_000),
                    OptionalLong.empty())));
    public static final ModelInfo GEMINI_FLASH_FREE = model("gemini-flash:free", "gemini", Optional.of(Pricing.FREE),
            8192, Optional.of(new FreeTier(OptionalLong.of(10), OptionalLong.of(250), OptionalLong.of(250_000),
                    OptionalLong.empty())));

    public static final ModelCatalog CATALOG = catalog(List.of(PREMIUM, MID, FREE, GEMINI_PRO_FREE, GEMINI_FLASH_FREE));

    private TestModels() {}

    static ModelInfo model(String name, String provider, Optional<Pricing> pricing, int maxOutput,
            Optional<FreeTier> freeTier) {
        return new ModelInfo(name, provider, name, ModelKind.CHAT, pricing, 128_000, maxOutput,
                Set.of(Capability.STREAMING), freeTier, 2, Set.of(), "test", LocalDate.of(2026, 11, 27));
    }

    public static ModelCatalog catalog(List<ModelInfo> models) {
        return new ModelCatalog() {
            @Override
            public Optional<ModelInfo> find(String nameOrAlias) {
                return models.stream().filter(m -> m.name().equals(nameOrAlias)).findFirst();
            }

            @Override
            public ModelInfo require(String nameOrAlias) {
                return find(nameOrAlias).orElseThrow(() -> new UnknownModelException(nameOrAlias, List.of()));
            }

            @Override
            public List<ModelInfo> all() {
                return models;
            }
        };
    }

    /** Estimates one token per 4 characters of text, rounded up; {@code exact} as given. */
    public static TokenEstimator estimator(boolean exact) {
        return new TokenEstimator() {
            @Override
            public TokenEstimate estimateInput(String model, ChatRequest request) {
                return new TokenEstimate(countText(model, request.allText()), exact);
            }

            @Override
            public long countText(String model, String text) {
                return (text.length() + 3) / 4;
            }
        };
    }

    /**
     * {@code provider}, whose calls each end only once {@code allRecorded} has been counted down by every call, so
     * that every call of a fan-out ends after all of them have recorded their cost in the shared context.
     */
    public static ChatModel endingAfterAllRecorded(FakeProvider provider, CountDownLatch allRecorded) {
        return new ChatModel() {
            @Override
            public String name() {
                return provider.name();
            }

            @Override
            public String provider() {
                return provider.provider();
            }

            @Override
            public ChatResponse execute(ChatRequest request, WorkflowContext context) {
                ChatResponse response = provider.execute(request, context);
                allRecorded.countDown();
                try {
                    if (!allRecorded.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the other calls did not record within 10 s");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                return response;
            }

            @Override
            public ChatStream stream(ChatRequest request, WorkflowContext context) {
                return provider.stream(request, context);
            }
        };
    }

    /**
     * A stand-in for a provider: answers with {@code wantedOutput} tokens (cut at max_tokens, finish LENGTH), reports
     * {@code inputTokens(estimate)} prompt tokens, prices the usage with the catalog pricing and records a cost
     * record in the context, as adapters do.
     */
    public static final class FakeProvider implements ChatModel {
        private final ModelInfo info;
        private final LongUnaryOperator reportedInput;
        private final LongUnaryOperator wantedOutput;

        public FakeProvider(ModelInfo info, LongUnaryOperator reportedInput, LongUnaryOperator wantedOutput) {
            this.info = info;
            this.reportedInput = reportedInput;
            this.wantedOutput = wantedOutput;
        }

        public static FakeProvider of(ModelInfo info, long outputTokens) {
            return new FakeProvider(info, in -> in, ignored -> outputTokens);
        }

        @Override
        public String name() {
            return info.name();
        }

        @Override
        public String provider() {
            return info.provider();
        }

        public Usage usageFor(ChatRequest request) {
            long input = reportedInput.applyAsLong(estimator(true).countText(info.name(), request.allText()));
            long wanted = wantedOutput.applyAsLong(request.allText().length());
            long output = Math.min(wanted, request.maxTokens().map(Integer::longValue).orElse(Long.MAX_VALUE));
            return Usage.of(input, output);
        }

        public Money price(Usage usage) {
            Pricing p = info.pricing().orElse(Pricing.FREE);
            return p.inputPerMillion().perMillion(usage.inputTokens()).plus(p.outputPerMillion()
                    .perMillion(usage.outputTokens()));
        }

        @Override
        public ChatResponse execute(ChatRequest request, WorkflowContext context) {
            Usage usage = usageFor(request);
            Money cost = price(usage);
            record(context, request, usage, cost, Outcome.SUCCESS);
            boolean cut = request.maxTokens().isPresent() && usage.outputTokens() == request.maxTokens().get();
            return new ChatResponse("chatcmpl-test", request.model(), info.name(), info.provider(),
                    Message.assistant("x".repeat((int) Math.min(usage.outputTokens(), 10))),
                    cut ? FinishReason.LENGTH : FinishReason.STOP, usage, cost,
                    info.isFree() ? PriceStatus.LOCAL : PriceStatus.PRICED, Duration.ofMillis(5), Optional.empty(),
                    false);
        }

        void record(WorkflowContext context, ChatRequest request, Usage usage, Money cost, Outcome outcome) {
            CostRecord record = new CostRecord(context.correlationId(), 1, context.clock().instant(), request.model(),
                    info.name(), info.provider(), usage, cost, cost, PriceStatus.PRICED, outcome, Optional.empty(),
                    Optional.empty(), Duration.ofMillis(5), context.tags());
            context.record(info.name(), "cost", Map.of("record", record));
        }

        @Override
        public ChatStream stream(ChatRequest request, WorkflowContext context) {
            ChatResponse whole = execute(request, WorkflowContext.of("inner"));
            return new ChatStream() {
                private int sent;
                private boolean closed;

                @Override
                public boolean hasNext() {
                    if (sent == 3 && !closed) {
                        closed = true;
                        record(context, request, whole.usage(), whole.cost(), Outcome.SUCCESS);
                    }
                    return sent < 3;
                }

                @Override
                public ChatChunk next() {
                    if (sent >= 3) {
                        throw new NoSuchElementException();
                    }
                    sent++;
                    return ChatChunk.text(whole.id(), whole.model(), "x");
                }

                @Override
                public ChatResponse response() {
                    return whole;
                }

                @Override
                public void close() {
                    if (!closed) {
                        closed = true;
                        Usage partial = Usage.of(whole.usage().inputTokens(), sent);
                        record(context, request, partial, price(partial), Outcome.ABORTED);
                    }
                }
            };
        }
    }
}
