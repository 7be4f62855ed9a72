package dev.costwise.gateway.pipeline;

import dev.costwise.core.CallInterruptedException;
import dev.costwise.gateway.http.GatewayException;
import dev.costwise.gateway.upstream.Upstream;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a stop's grace period, as the requests still running see it: once {@link #cut} has run, no upstream call,
 * retry or wait between retries starts ({@link GatewayException.ShuttingDown}), and the calls and waits under way end
 * at once. Each request then ledgers its attempt, gives back its budget reservation and answers its caller while the
 * ledger and Redis are still open, which is why the gateway cuts before it closes anything.
 *
 * <p>A call or wait is ended by interrupting the request's thread while, and only while, it is inside one (see
 * {@link #enter}): a virtual thread blocked on a socket then has the socket closed under it, and a native adapter's
 * caller stops waiting at once. That adapter's exchange itself runs on a thread nothing interrupts (an interrupt
 * during the HTTP client's class initialisation would break it for the JVM: {@code DeadlineBoundExchange}), so its
 * connection closes when its reads pass the request's deadline, or when the process exits; like any call cut off,
 * it is ledgered at $0, as the gateway never learns what the provider billed. The interrupt is cleared when the
 * thread leaves, so it never reaches the ledger's or Redis's connections (an interrupted JDBC or Redis socket would
 * close). Thread-safe.
 */
public final class UpstreamCutoff {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamCutoff.class);
    /** What a call cut off fails with: the caller and the ledger row are told why. */
    static final String CUT_OFF = "cut off: the gateway is shutting down and stopped waiting for it after its "
            + "shutdown grace period";

    private final Set<Inside> inside = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    /** Ends every upstream call and retry wait under way, and refuses new ones from now on. Idempotent. */
    public void cut() {
        cut = true;
        inside.forEach(Inside::interrupt);
    }

    /** @return whether {@link #cut} has run */
    public boolean isCut() {
        return cut;
    }

    /**
     * What ends a wait that was interrupted: after the stop's cut, a shutting-down answer; anyone else's interrupt ends
     * the request as interrupted, not as a shutdown that is not happening. Either way the interrupt has done its work
     * (the request stops) and the flag stays clear: set again, it would close the ledger's, Redis's and the caller's
     * sockets that the request still writes its row, its settlement and its answer to. Every wait of a request that
     * catches {@link InterruptedException} answers with this.
     *
     * @param e the interrupt
     * @param waiting what was waited for, as the exception names it ({@code retry of fast})
     * @return {@link GatewayException.ShuttingDown} once {@link #cut} has run, else
     *     {@link GatewayException.Interrupted} (503 {@code interrupted}), logged at WARN: not a bug of the gateway
     */
    GatewayException interrupted(InterruptedException e, String waiting) {
        if (cut) {
            return new GatewayException.ShuttingDown();
        }
        LOG.warn("a request's wait ({}) was interrupted, not by the gateway's stop; the request ends as interrupted",
                waiting);
        return new GatewayException.Interrupted(new CallInterruptedException(waiting, e));
    }

    /**
     * Marks the current thread as inside an upstream call or a wait that {@link #cut} must end; close the result
     * when the thread leaves it.
     *
     * @return the mark, to close in the same thread
     * @throws GatewayException.ShuttingDown if the cut has already happened: nothing new starts
     */
    Inside enter() {
        if (cut) {
            throw new GatewayException.ShuttingDown();
        }
        Inside mark = new Inside(Thread.currentThread());
        inside.add(mark);
        if (cut) { // cut between the check and the add: its sweep may have missed this mark
            mark.close();
            throw new GatewayException.ShuttingDown();
        }
        return mark;
    }

    /**
     * @param upstream where calls go
     * @return {@code upstream} with its calls ended by {@link #cut}, and refused after it
     */
    Upstream guard(Upstream upstream) {
        return new CutOffUpstream(Objects.requireNonNull(upstream, "upstream"), this);
    }

    /** One thread inside a call or a wait. */
    final class Inside implements AutoCloseable {
        private final Thread thread;
        private boolean open = true;
        private boolean interrupted;

        private Inside(Thread thread) {
            this.thread = thread;
        }

        private synchronized void interrupt() {
            if (open) {
                interrupted = true;
                thread.interrupt();
            }
        }

        /** The thread has left: an interrupt {@link #cut} sent is cleared, as it has done its work. */
        @Override
        public synchronized void close() {
            open = false;
            inside.remove(this);
            if (interrupted) {
                Thread.interrupted();
            }
        }
    }
}
