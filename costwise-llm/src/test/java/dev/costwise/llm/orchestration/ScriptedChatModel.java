package dev.costwise.llm.orchestration;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatModel;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.provider.ProviderException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A provider stand-in: answers with scripted texts and usage, throws scripted provider failures, or blocks until
 * interrupted; advances the test's ticker by a scripted latency. Only the provider is faked; everything around it
 * runs for real.
 */
final class ScriptedChatModel implements ChatModel {

    private sealed interface Step {}

    private record Reply(String text, Usage usage, Duration latency, Runnable gate) implements Step {}

    private record Failure(ProviderException error) implements Step {}

    private record Block(Runnable beforeBlocking) implements Step {}

    private final String name;
    private final String provider;
    private final FakeTicker ticker;
    private final Deque<Step> steps = new ArrayDeque<>();
    private final List<ChatRequest> requests = new ArrayList<>();
    private Step always;

    ScriptedChatModel(String name, String provider, FakeTicker ticker) {
        this.name = name;
        this.provider = provider;
        this.ticker = ticker;
    }

    synchronized ScriptedChatModel replies(String text, Usage usage) {
        steps.add(new Reply(text, usage, Duration.ZERO, () -> {}));
        return this;
    }

    /** Replies once {@code gate} returns (for example when every parallel branch has arrived). */
    synchronized ScriptedChatModel repliesWhen(Runnable gate, String text, Usage usage) {
        steps.add(new Reply(text, usage, Duration.ZERO, gate));
        return this;
    }

    synchronized ScriptedChatModel repliesAfter(Duration latency, String text, Usage usage) {
        steps.add(new Reply(text, usage, latency, () -> {}));
        return this;
    }

    synchronized ScriptedChatModel alwaysReplies(String text, Usage usage) {
        always = new Reply(text, usage, Duration.ZERO, () -> {});
        return this;
    }

    synchronized ScriptedChatModel fails(ProviderException error) {
        steps.add(new Failure(error));
        return this;
    }

    synchronized ScriptedChatModel rateLimited() {
        return fails(new ProviderException.RateLimited(ProviderException.Details.of(provider, name, 429),
                "free tier requests per minute exceeded", Optional.of(Duration.ofSeconds(20))));
    }

    synchronized ScriptedChatModel blocksUntilInterrupted(Runnable beforeBlocking) {
        steps.add(new Block(beforeBlocking));
        return this;
    }

    synchronized List<ChatRequest> requests() {
        return List.copyOf(requests);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String provider() {
        return provider;
    }

    @Override
    public ChatResponse execute(ChatRequest request, WorkflowContext context) {
        Step step;
        synchronized (this) {
            requests.add(request);
            step = steps.isEmpty() ? always : steps.poll();
        }
        if (step == null) {
            throw new AssertionError("unexpected call to " + name + " (script exhausted)");
        }
        return switch (step) {
            case Reply r -> {
                r.gate().run();
                ticker.advance(r.latency());
                yield new ChatResponse("chatcmpl-test", request.model(), name, provider, Message.assistant(r.text()),
                        FinishReason.STOP, r.usage(), Money.ZERO, PriceStatus.SIMULATED, r.latency(),
                        Optional.empty(), false);
            }
            case Failure f -> throw f.error();
            case Block b -> {
                b.beforeBlocking().run();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new ProviderException.ProviderTimeout(ProviderException.Details.of(provider, name),
                        "call interrupted", Duration.ZERO);
            }
        };
    }

    @Override
    public ChatStream stream(ChatRequest request, WorkflowContext context) {
        throw new UnsupportedOperationException("streaming is not scripted");
    }
}
