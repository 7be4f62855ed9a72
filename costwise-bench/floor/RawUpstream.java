import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;

/**
 * Measurement aid, not part of Costwise: the upstream side of the floor pass-throughs, a raw keep-alive socket per
 * thread that sends the bench's chat body and reads a Content-Length answer. The JDK's multi-file source launcher
 * (JDK 22+) compiles it next to the server that uses it.
 */
final class RawUpstream {
    private static final ThreadLocal<Object[]> UP = ThreadLocal.withInitial(() -> new Object[2]);

    private RawUpstream() {}

    /** @return the upstream's answer to {@code body}, over this thread's own socket to host:port */
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
