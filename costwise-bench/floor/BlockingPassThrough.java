import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;

/**
 * Measurement aid, not part of Costwise: the least an HTTP/1.1 pass-through in Java can add, one thread per client
 * connection with its own keep-alive upstream socket. Handles only what the gateway bench sends (Content-Length
 * bodies). Run with the JDK's source launcher (docs/benchmarks.md, "What a gateway can add at one connection"):
 * {@code java BlockingPassThrough.java PORT UPSTREAM_HOST UPSTREAM_PORT [platform|virtual]}.
 */
public class BlockingPassThrough {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String upHost = args[1];
        int upPort = Integer.parseInt(args[2]);
        try (ServerSocket server = new ServerSocket(port, 4096, InetAddress.getLoopbackAddress())) {
            while (true) {
                Socket client = server.accept();
                boolean virtual = args.length > 3 && args[3].equals("virtual");
                (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> serve(client, upHost, upPort));
            }
        }
    }

    static void serve(Socket client, String upHost, int upPort) {
        try (client; Socket up = new Socket(upHost, upPort)) {
            client.setTcpNoDelay(true);
            up.setTcpNoDelay(true);
            InputStream cin = new BufferedInputStream(client.getInputStream(), 16384);
            OutputStream cout = client.getOutputStream();
            InputStream uin = new BufferedInputStream(up.getInputStream(), 16384);
            OutputStream uout = up.getOutputStream();
            while (true) {
                byte[] req = readMessage(cin);
                if (req == null) return;
                uout.write(req);
                byte[] resp = readMessage(uin);
                if (resp == null) return;
                cout.write(resp);
            }
        } catch (IOException e) {
            // connection gone
        }
    }

    /** Head up to CRLFCRLF plus Content-Length bytes, as one array. */
    static byte[] readMessage(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(1024);
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) return null;
            head.write(b);
            boolean next = b == '\r' ? state % 2 == 0 : b == '\n' && state % 2 == 1;
            state = next ? state + 1 : 0;
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                length = Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        head.write(body);
        return head.toByteArray();
    }
}
