package dev.costwise.llm.provider.http;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.FinishReason;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.ThinkingDelta;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.ToolCallDelta;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.provider.ProviderException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link ChatStream} over a {@link ChunkSource}: passes the chunks through, assembles the whole response (text,
 * tool calls and reasoning blocks from their deltas, usage, cost) and records the attempt's cost when the stream ends,
 * fails, or is closed early. {@link #close()} may be called from another thread (a gateway whose client went away).
 */
final class AssemblingChatStream implements ChatStream {

    private enum State { OPEN, ENDED, FAILED, ABORTED }

    private final AbstractProviderChatModel model;
    private final ChatRequest request;
    private final WorkflowContext context;
    private final ChunkSource source;
    private final long startNanos;
    private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);

    private final StringBuilder text = new StringBuilder();
    private final Map<Integer, ToolCallAssembly> toolCalls = new TreeMap<>();
    private final Map<Integer, ThinkingAssembly> thinking = new TreeMap<>();
    private ChatChunk buffered;
    private String id;
    private String answeredModel;
    private Optional<FinishReason> finishReason = Optional.empty();
    private Optional<Usage> usage = Optional.empty();
    private volatile ChatResponse response;
    /** Guards the assembled state: the consumer appends while another thread may close and read what it has. */
    private final Object assembly = new Object();

    AssemblingChatStream(AbstractProviderChatModel model, ChatRequest request, WorkflowContext context,
            ChunkSource source, long startNanos) {
        this.model = model;
        this.request = request;
        this.context = context;
        this.source = source;
        this.startNanos = startNanos;
    }

    @Override
    public boolean hasNext() {
        if (buffered != null) {
            return true;
        }
        if (state.get() != State.OPEN) {
            return false;
        }
        Optional<ChatChunk> next;
        try {
            next = source.next();
        } catch (ProviderException e) {
            if (state.get() == State.ABORTED) {
                return false; // closed from another thread; the failure is our own abort
            }
            fail(e);
            throw e;
        } catch (CallInterruptedException e) {
            close(); // the caller gave up: recorded as aborted, with the output so far, before it learns of it
            throw e;
        }
        if (next.isEmpty()) {
            finish();
            return false;
        }
        apply(next.get());
        buffered = next.get();
        return true;
    }

    @Override
    public ChatChunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the stream of " + model.provider() + " " + model.name()
                    + " has no more chunks (" + state.get() + ")");
        }
        ChatChunk c = buffered;
        buffered = null;
        return c;
    }

    @Override
    public ChatResponse response() {
        ChatResponse r = response;
        if (r == null) {
            throw new IllegalStateException("the stream of " + model.provider() + " " + model.name()
                    + " has not been read to its end (" + state.get() + ")");
        }
        return r;
    }

    @Override
    public void close() {
        if (!state.compareAndSet(State.OPEN, State.ABORTED)) {
            source.close();
            return;
        }
        source.close();
        String used;
        synchronized (assembly) {
            used = currentModel();
        }
        Usage soFar = usageSoFar().orElseGet(() -> model.estimateUsage(request, assembledMessage()));
        Pricer.Priced priced = model.price(used, model.isDowngrade(used), soFar);
        model.recordCost(context, request, used, soFar, priced, Outcome.ABORTED, Optional.empty(),
                AbstractProviderChatModel.elapsed(context, startNanos));
    }

    @Override
    public void onKeepAlive(Runnable listener) {
        source.onKeepAlive(listener);
    }

    @Override
    public Optional<Usage> usageSoFar() {
        Optional<Usage> reported;
        synchronized (assembly) {
            reported = usage;
        }
        return reported.or(() -> source.usageSoFar().map(u -> model.withOutputSoFar(u, assembledMessage())));
    }

    @Override
    public Optional<Usage> reportedSoFar() {
        Optional<Usage> reported;
        synchronized (assembly) {
            reported = usage;
        }
        return reported.or(source::usageSoFar);
    }

    private void apply(ChatChunk c) {
        synchronized (assembly) {
            applyLocked(c);
        }
    }

    private void applyLocked(ChatChunk c) {
        if (id == null && !c.id().isEmpty()) {
            id = c.id();
        }
        if (!c.model().isEmpty()) {
            answeredModel = c.model();
        }
        text.append(c.contentDelta());
        for (ToolCallDelta d : c.toolCallDeltas()) {
            ToolCallAssembly a = toolCalls.computeIfAbsent(d.index(), i -> new ToolCallAssembly());
            d.id().ifPresent(v -> a.id = v);
            d.name().ifPresent(v -> a.name = a.name == null ? v : a.name + v);
            a.arguments.append(d.argumentsFragment());
        }
        for (ThinkingDelta d : c.thinkingDeltas()) {
            ThinkingAssembly a = thinking.computeIfAbsent(d.block(), i -> new ThinkingAssembly());
            a.text.append(d.text());
            d.signature().ifPresent(v -> a.signature = v);
            d.redactedData().ifPresent(v -> a.redactedData = v);
        }
        if (c.finishReason().isPresent()) {
            finishReason = c.finishReason();
        }
        if (c.usage().isPresent()) {
            usage = c.usage();
        }
    }

    private void finish() {
        if (!state.compareAndSet(State.OPEN, State.ENDED)) {
            return;
        }
        source.close();
        ProviderReply reply = new ProviderReply(id == null ? "stream-" + context.correlationId() : id,
                Optional.ofNullable(answeredModel), assembledMessage(), finishReason.orElse(
                        toolCalls.isEmpty() ? FinishReason.STOP : FinishReason.TOOL_CALLS),
                usage, source.providerRequestId());
        response = model.complete(request, context, reply, AbstractProviderChatModel.elapsed(context, startNanos));
    }

    private void fail(ProviderException e) {
        if (!state.compareAndSet(State.OPEN, State.FAILED)) {
            return;
        }
        source.close();
        Message soFar = assembledMessage();
        boolean producedOutput = !soFar.text().isEmpty() || !soFar.toolCalls().isEmpty()
                || !soFar.reasoning().isEmpty();
        Optional<Usage> billed = usageSoFar()
                .or(() -> producedOutput ? Optional.of(model.estimateUsage(request, soFar)) : Optional.empty());
        model.recordBrokenStream(request, context, e, billed, AbstractProviderChatModel.elapsed(context, startNanos));
    }

    private String currentModel() {
        return answeredModel == null || answeredModel.isBlank() ? model.name() : answeredModel;
    }

    private Message assembledMessage() {
        synchronized (assembly) {
            return assembledMessageLocked();
        }
    }

    private Message assembledMessageLocked() {
        List<ToolCall> calls = new ArrayList<>();
        toolCalls.forEach((index, a) -> calls.add(new ToolCall(a.id == null ? "call_" + index : a.id,
                a.name == null ? "" : a.name, a.arguments.toString())));
        // reasoning first, by block, as the provider returned it: it goes back in that order in the next turn
        List<ContentPart> content = new ArrayList<>();
        thinking.values().forEach(a -> content.add(a.part()));
        if (!text.isEmpty() || (calls.isEmpty() && content.isEmpty())) {
            content.add(ContentPart.text(text.toString()));
        }
        return new Message(Role.ASSISTANT, content, Optional.empty(), calls, Optional.empty());
    }

    private static final class ThinkingAssembly {
        final StringBuilder text = new StringBuilder();
        String signature;
        String redactedData;

        ContentPart part() {
            return redactedData != null ? new ContentPart.RedactedThinking(redactedData)
                    : new ContentPart.Thinking(text.toString(), Optional.ofNullable(signature));
        }
    }

    private static final class ToolCallAssembly {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }
}
