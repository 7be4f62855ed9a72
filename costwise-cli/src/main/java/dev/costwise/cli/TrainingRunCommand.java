package dev.costwise.cli;

import dev.costwise.gateway.Gateway;
import dev.costwise.gateway.config.EmbeddedDefaults;
import dev.costwise.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * {@code costwise training-run} (hidden): starts the simulated gateway on a free loopback port with its ledger in a
 * temporary directory, sends it one completion and one streamed completion, stops it and deletes the directory.
 *
 * <p>The {@code ./costwise} launcher runs it once per build under {@code -XX:ArchiveClassesAtExit} so that later
 * starts map the classes a gateway loads from a class data sharing archive instead of loading them from the jar. It
 * reads no configuration and no environment (no provider key, no {@code COSTWISE_CONFIG}), so it never calls a real
 * model, a real ledger or Redis, and it leaves nothing behind in the working directory.
 */
@Command(name = "training-run", hidden = true,
        description = "Run the simulated gateway once (used by ./costwise to record a class data sharing archive).")
final class TrainingRunCommand implements Callable<Integer> {
    /** The simulator answers at once; a read that waits this long means the gateway is stuck. */
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("costwise-training-");
        try (Gateway gateway = Gateway.builder(config(dir)).build().start()) {
            String model = gateway.config().models().getFirst().name();
            String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]";
            int plain = post(gateway.port(), body + "}");
            int streamed = post(gateway.port(), body + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
            if (plain != 200 || streamed != 200) {
                System.err.println("costwise: training run answered " + plain + " and " + streamed + ", not 200");
                return 1;
            }
            System.out.println("costwise: the simulated gateway answered a completion and a stream (200, 200)");
        } finally {
            deleteRecursively(dir);
        }
        return 0;
    }

    /** The embedded default as a start without any provider key builds it, on a free port and a throwaway ledger. */
    static GatewayConfig config(Path dir) {
        GatewayConfig simulated = EmbeddedDefaults.fromEnvironment(name -> null);
        return simulated.withServer(simulated.server().withAddress("127.0.0.1", 0))
                .withLedgerUrl("jdbc:sqlite:" + dir.resolve("ledger.db"));
    }

    /**
     * One HTTP/1.1 request on a plain socket: the JDK's HTTP client would load (and so archive) classes the gateway
     * itself never uses.
     *
     * @return the response's status code
     */
    private static int post(int port, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + body.length
                + "\r\n\r\n";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String response = readResponse(socket.getInputStream());
            // "HTTP/1.1 200 OK": the status code is the second token of the first line.
            String[] statusLine = response.lines().findFirst().orElse("").split(" ");
            return statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : -1;
        }
    }

    /**
     * Reads one response to its end: {@code Content-Length} bytes of body, or chunks up to the last one. Reading to
     * the end of the stream instead waited until the gateway's idle timeout closed the connection.
     */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
            text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd < 0) {
                continue;
            }
            String headers = text.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT);
            int lengthAt = headers.indexOf("content-length:");
            if (lengthAt >= 0) {
                int lineEnd = headers.indexOf("\r\n", lengthAt);
                long length = Long.parseLong(headers.substring(lengthAt + 15, lineEnd < 0 ? headers.length() : lineEnd)
                        .trim());
                if (text.length() - headEnd - 4 >= length) {
                    break;
                }
            } else if (text.indexOf("\r\n0\r\n\r\n", headEnd) >= 0) {
                break;
            }
        }
        return text.toString();
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
