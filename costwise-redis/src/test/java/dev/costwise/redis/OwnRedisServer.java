package dev.costwise.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} child process on a free port that a test may stop, freeze and restart without touching the
 * shared server: {@code redis-server --port N --save "" --appendonly no --daemonize no}.
 */
public final class OwnRedisServer implements AutoCloseable {

    private final int port;
    private Process process;

    private OwnRedisServer(int port) {
        this.port = port;
    }

    /** Starts a server on a free port; skips (or on CI fails) the test when {@code redis-server} is missing. */
    public static OwnRedisServer start() {
        SharedRedis.requireRunning();
        OwnRedisServer server = new OwnRedisServer(freePort());
        try {
            server.startProcess();
        } catch (UncheckedIOException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw e;
            }
            org.junit.jupiter.api.Assumptions.abort("redis-server cannot be started here: " + e.getMessage());
        }
        return server;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills the server (its data is lost: no persistence). */
    public void stop() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts it again on the same port, empty. */
    public void restart() {
        startProcess();
    }

    /** Freezes the process (SIGSTOP): connections hang and time out, data stays. */
    void freeze() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** Thaws a frozen process (SIGCONT). */
    void thaw() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String sig) throws IOException, InterruptedException {
        new ProcessBuilder("kill", sig, Long.toString(process.pid())).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
    }

    /** Starts the process and returns once its log says it accepts connections. */
    private void startProcess() {
        try {
            process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--save", "",
                    "--appendonly", "no", "--daemonize", "no", "--bind", "127.0.0.1"))
                    .redirectErrorStream(true).start();
            BufferedReader log = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            while ((line = log.readLine()) != null) {
                if (line.contains("Ready to accept connections")) {
                    Thread.ofVirtual().start(() -> drain(log));
                    return;
                }
            }
            throw new IllegalStateException("redis-server on port " + port + " exited before it was ready");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server on port " + port, e);
        }
    }

    private static void drain(BufferedReader log) {
        try {
            while (log.readLine() != null) {
                // discard
            }
        } catch (IOException e) {
            // process gone
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
