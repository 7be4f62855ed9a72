import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;

/**
 * Measurement aid, not part of Costwise: Helidon SE's server on virtual threads with no pipeline, each connection's
 * thread keeping its own raw keep-alive socket to the upstream. Run with the CLI jar on the class path
 * (docs/benchmarks.md, "What a gateway can add at one connection"):
 * {@code java -cp costwise-cli/target/costwise.jar HelidonPassThrough.java PORT UPSTREAM_HOST UPSTREAM_PORT}.
 */
public class HelidonPassThrough {
    static final ThreadLocal<Object[]> UP = ThreadLocal.withInitial(() -> new Object[2]);

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        String upHost = args[1];
        int upPort = Integer.parseInt(args[2]);
        WebServer.builder().host("127.0.0.1").port(port).connectionOptions(o -> o.tcpNoDelay(true))
                .routing(r -> r.post("/v1/chat/completions", (req, res) -> {
                    byte[] body = req.content().inputStream().readAllBytes();
                    byte[] answer = forward(body, upHost, upPort);
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(answer);
                })).build().start();
    }

    static byte[] forward(byte[] body, String host, int port) throws IOException {
        Object[] holder = UP.get();
        if (holder[0] == null) {
            Socket socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            holder[0] = socket;
            holder[1] = new BufferedInputStream(socket.getInputStream(), 16384);
        }
        Socket s = (Socket) holder[0];
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] msg = new byte[h.length + body.length];
        System.arraycopy(h, 0, msg, 0, h.length);
        System.arraycopy(body, 0, msg, h.length, body.length);
        s.getOutputStream().write(msg);
        InputStream in = (InputStream) holder[1];
        ByteArrayOutputStream headBuf = new ByteArrayOutputStream(512);
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) throw new EOFException();
            headBuf.write(b);
            boolean next = b == '\r' ? state % 2 == 0 : b == '\n' && state % 2 == 1;
            state = next ? state + 1 : 0;
        }
        int length = 0;
        for (String line : headBuf.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                length = Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        return in.readNBytes(length);
    }
}
