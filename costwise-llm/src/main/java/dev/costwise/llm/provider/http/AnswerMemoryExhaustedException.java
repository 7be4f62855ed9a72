package dev.costwise.llm.provider.http;

import java.io.IOException;

/**
 * An answer could not be read because the answers already being held use up the process's {@link AnswerMemory}.
 * Nothing is wrong with the answer nor the provider: the process is short of memory for now. Adapters map it to
 * {@link dev.costwise.llm.provider.ProviderException.Overloaded} (transient: retried, then the fallbacks), as the
 * gateway does its own throttle when every slot is busy; the connection is closed rather than reused, its body unread.
 */
public final class AnswerMemoryExhaustedException extends IOException {

    private final long limit;

    /** @param limit the budget, in bytes */
    public AnswerMemoryExhaustedException(long limit) {
        super("the answers being read already hold the " + ResponseTooLargeException.size(limit)
                + " limit of answer memory; try again");
        this.limit = limit;
    }

    /** @return the budget that was full, in bytes */
    public long limit() {
        return limit;
    }
}
