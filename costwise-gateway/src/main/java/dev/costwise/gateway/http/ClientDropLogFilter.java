package dev.costwise.gateway.http;

import io.helidon.common.buffers.DataReader;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the web server's warning with a stack trace for a client that closed its connection before its request's
 * headers were whole (a port scanner, a health probe, a mobile network that drops) into one DEBUG line: the server
 * logs it as an internal error, and one such client per connection would flood the log. Its other records, real
 * errors among them, pass unchanged. Installed on the server's HTTP/1.1 connection logger ({@link #install()}), which
 * is a {@code java.util.logging} logger whatever logging the gateway's own classes use.
 */
public final class ClientDropLogFilter implements Filter {
    /** Where the web server logs a request it could not read; held here, as the logging framework keeps it weakly. */
    private static final Logger SERVER_LOG = Logger.getLogger("io.helidon.webserver.http1.Http1Connection");
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(ClientDropLogFilter.class);

    private final Filter next;

    private ClientDropLogFilter(Filter next) {
        this.next = next;
    }

    /** Installs the filter, once however many gateways a process starts; a filter already there still runs. */
    public static void install() {
        synchronized (SERVER_LOG) {
            Filter current = SERVER_LOG.getFilter();
            if (!(current instanceof ClientDropLogFilter)) {
                SERVER_LOG.setFilter(new ClientDropLogFilter(current));
            }
        }
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (clientClosed(record.getThrown())) {
            LOG.debug("a client closed its connection before its request was whole");
            return false;
        }
        return next == null || next.isLoggable(record);
    }

    /** The server's reader ran out of bytes: the client's side of the connection ended, nothing failed here. */
    private static boolean clientClosed(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DataReader.InsufficientDataAvailableException) {
                return true;
            }
        }
        return false;
    }
}
