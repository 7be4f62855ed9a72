package dev.costwise.llm.sim;

import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.chat.ChatChunk;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.chat.ChatStream;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.chat.ToolCall;
import dev.costwise.llm.chat.ToolCallDelta;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/** A simulated stream: text chunks of a few words, then one chunk with the finish reason and usage. */
final class SimulatedStream implements ChatStream {

    private final SimulatedChatModel owner;
    private final ChatResponse response;
    private final ChatRequest request;
    private final WorkflowContext context;
    private final List<String> pieces;
    private final int chunkWords;
    private final int dropAt;
    private int next;
    private boolean toolCallsSent;
    private boolean finished;
    private boolean closed;

    SimulatedStream(SimulatedChatModel owner, SimulatedChatModel.Planned planned, ChatRequest request,
            WorkflowContext context, int chunkWords, int dropAt) {
        this.owner = owner;
        this.response = planned.response();
        this.request = request;
        this.context = context;
        this.pieces = planned.pieces();
        this.chunkWords = chunkWords;
        this.dropAt = dropAt;
    }

    @Override
    public boolean hasNext() {
        return !closed && !finished;
    }

    @Override
    public ChatChunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException(closed ? "stream of " + response.model() + " was closed"
                    : "stream of " + response.model() + " has ended");
        }
        if (dropAt >= 0 && next >= dropAt) {
            closed = true;
            ProviderException e = new ProviderException.ConnectionFailed(
                    ProviderException.Details.of(SimulatedChatModel.PROVIDER, response.model()),
                    "simulated stream broken after " + next + " of " + pieces.size() + " pieces", null);
            owner.record(context, request, producedSoFar(), response.latency(), Outcome.FAILED,
                    Optional.of(e.kind()));
            throw e;
        }
        if (next < pieces.size()) {
            int end = Math.min(pieces.size(), next + chunkWords);
            String text = String.join("", pieces.subList(next, end));
            next = end;
            return ChatChunk.text(response.id(), response.model(), text);
        }
        if (!toolCallsSent && !response.toolCalls().isEmpty()) {
            toolCallsSent = true;
            List<ToolCallDelta> deltas = new ArrayList<>();
            for (int i = 0; i < response.toolCalls().size(); i++) {
                ToolCall call = response.toolCalls().get(i);
                deltas.add(new ToolCallDelta(i, Optional.of(call.id()), Optional.of(call.name()), call.arguments()));
            }
            return new ChatChunk(response.id(), response.model(), "", deltas, Optional.empty(), Optional.empty());
        }
        finished = true;
        owner.record(context, request, response.usage(), response.latency(), Outcome.SUCCESS, Optional.empty());
        return new ChatChunk(response.id(), response.model(), "", List.of(), Optional.of(response.finishReason()),
                Optional.of(response.usage()));
    }

    @Override
    public ChatResponse response() {
        if (!finished) {
            throw new IllegalStateException("stream of " + response.model() + " was not read to its end"
                    + (closed ? " (closed after " + next + " of " + pieces.size() + " pieces)" : ""));
        }
        return response;
    }

    /** Aborts: the output generated so far (in proportion to the pieces sent) is recorded as ABORTED. */
    @Override
    public void close() {
        if (closed || finished) {
            closed = true;
            return;
        }
        closed = true;
        owner.record(context, request, producedSoFar(), response.latency(), Outcome.ABORTED, Optional.empty());
    }

    /** The full prompt and the share of the output sent so far (the provider bills what it generated). */
    private Usage producedSoFar() {
        Usage full = response.usage();
        long produced = pieces.isEmpty() ? 0 : (long) Math.ceil((double) full.outputTokens() * next / pieces.size());
        long reasoning = Math.min(full.reasoningTokens(), produced);
        return new Usage(full.inputTokens(), full.cachedInputTokens(), full.cacheWriteTokens(),
                full.cacheWrite1hTokens(), produced, reasoning, true);
    }
}
