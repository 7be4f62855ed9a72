package dev.costwise.llm.provider.http;

import java.io.IOException;

/**
 * A response, or one event of a stream, was larger than the reader's limit. Reading stopped there, so nothing larger
 * than the limit was held in memory, and the connection is closed rather than reused (the rest of the body is never
 * read). Adapters map it to {@link dev.costwise.llm.provider.ProviderException.MalformedResponse}: an answer the
 * process cannot hold is no answer, and one provider's runaway answer must not exhaust the heap every other call
 * shares.
 */
public final class ResponseTooLargeException extends IOException {

    private final long limit;

    /**
     * @param what what was too large, such as {@code the answer}
     * @param limit the limit, in bytes
     */
    public ResponseTooLargeException(String what, long limit) {
        super(what + " is larger than the " + size(limit) + " limit");
        this.limit = limit;
    }

    /** @return the limit that was passed, in bytes */
    public long limit() {
        return limit;
    }

    /** @return {@code 16 MB} for a whole number of MiB, else the bytes */
    static String size(long bytes) {
        long mb = 1024L * 1024;
        return bytes >= mb && bytes % mb == 0 ? bytes / mb + " MB" : bytes + " bytes";
    }
}
