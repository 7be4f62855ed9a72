import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;

/**
 * Measurement aid, not part of Costwise: Helidon SE's server on virtual threads with no pipeline, each connection's
 * thread keeping its own raw keep-alive socket to the upstream. Run with the CLI jar on the class path
 * (docs/benchmarks.md, "What a gateway can add at one connection"):
 * {@code java -cp costwise-cli/target/costwise.jar HelidonPassThrough.java PORT UPSTREAM_HOST UPSTREAM_PORT}.
 */
public class HelidonPassThrough {
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        String upHost = args[1];
        int upPort = Integer.parseInt(args[2]);
        WebServer.builder().host("127.0.0.1").port(port).connectionOptions(o -> o.tcpNoDelay(true))
                .routing(r -> r.post("/v1/chat/completions", (req, res) -> {
                    byte[] body = req.content().inputStream().readAllBytes();
                    byte[] answer = RawUpstream.forward(body, upHost, upPort);
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(answer);
                })).build().start();
    }
}
