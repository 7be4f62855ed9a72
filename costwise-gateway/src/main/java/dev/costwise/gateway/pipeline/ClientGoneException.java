package dev.costwise.gateway.pipeline;

import java.io.IOException;
import java.util.Objects;

/**
 * The client of a stream went away: a keep-alive could not be written to it. Unchecked, as it is thrown from inside
 * the upstream's reader (which passes the provider's keep-alives on as it reads them) and must reach the relay
 * unchanged, not as a provider failure; the relay closes the upstream and ledgers the attempt as aborted.
 */
final class ClientGoneException extends RuntimeException {
    ClientGoneException(IOException cause) {
        super("the client closed the connection", Objects.requireNonNull(cause, "cause"));
    }

    /** @return the write failure that showed the client had gone */
    @Override
    public synchronized IOException getCause() {
        return (IOException) super.getCause();
    }
}
