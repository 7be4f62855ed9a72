package dev.costwise.gateway;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Notices that the web server has stopped listening while the gateway still runs. The server ends its listener for
 * good when accepting a connection fails (out of file descriptors: "Too many open files") and does not say so to the
 * gateway: the process would live on with nothing listening, healthy to a supervisor that checks only that it runs.
 * {@link #check()} probes the listening address with a connection; a refused one means that nothing listens there
 * any more, and {@code onLost} runs, once. Thread-safe.
 */
final class ListenerWatch {
    /** What a probe found. */
    enum Probe {
        /** The address accepted a connection. */
        LISTENING,
        /** The address refused a connection: nothing listens there. */
        NOT_LISTENING,
        /** The probe could not tell (it timed out, or this process is itself out of file descriptors). */
        UNKNOWN
    }

    /** Probes the listening address. */
    @FunctionalInterface
    interface Prober {
        /** @return what the probe found */
        Probe probe();
    }

    private final Prober prober;
    private final Runnable onLost;
    private final AtomicBoolean lost = new AtomicBoolean();

    /**
     * @param prober probes the listening address
     * @param onLost runs once, the first time a probe finds nothing listening
     */
    ListenerWatch(Prober prober, Runnable onLost) {
        this.prober = Objects.requireNonNull(prober, "prober");
        this.onLost = Objects.requireNonNull(onLost, "onLost");
    }

    /** Probes once; runs {@code onLost} if nothing listens and it has not run before. */
    void check() {
        if (!lost.get() && prober.probe() == Probe.NOT_LISTENING && lost.compareAndSet(false, true)) {
            onLost.run();
        }
    }

    /**
     * @param host the host the server was told to listen on; a wildcard address is probed on loopback
     * @param port the port it listens on
     * @param timeout the longest a probe waits to connect
     * @return a prober that connects to that address and closes the connection at once
     */
    static Prober connectingTo(String host, int port, Duration timeout) {
        return () -> {
            try (Socket probe = new Socket()) {
                InetAddress address = InetAddress.getByName(host);
                if (address.isAnyLocalAddress()) {
                    address = InetAddress.getLoopbackAddress();
                }
                probe.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
                return Probe.LISTENING;
            } catch (ConnectException e) {
                return String.valueOf(e.getMessage()).contains("refused") ? Probe.NOT_LISTENING : Probe.UNKNOWN;
            } catch (IOException e) {
                return Probe.UNKNOWN;
            }
        };
    }
}
