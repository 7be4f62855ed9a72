import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Measurement aid, not part of Costwise (Jetty is not one of its dependencies): Jetty 12's core server on its pool of
 * platform threads, no pipeline, each thread keeping its own raw keep-alive socket to the upstream. For the question
 * whether another HTTP server would add less than Helidon's at one connection (docs/benchmarks.md, "Would another
 * server add less?"). Fetch Jetty once ({@code mvn dependency:get -Dartifact=org.eclipse.jetty:jetty-server:12.1.14}),
 * then run with its jars on the class path:
 * {@code java -cp "$(ls ~/.m2/repository/org/eclipse/jetty/jetty-{server,http,io,util}/12.1.14/*.jar
 * ~/.m2/repository/org/slf4j/slf4j-api/2.0.17/*.jar | tr '\n' :)" JettyPassThrough.java PORT UPSTREAM_HOST
 * UPSTREAM_PORT}.
 */
public class JettyPassThrough {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String upHost = args[1];
        int upPort = Integer.parseInt(args[2]);
        Server server = new Server(new QueuedThreadPool(200, 8));
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                byte[] body = Content.Source.asInputStream(request).readAllBytes();
                byte[] answer = RawUpstream.forward(body, upHost, upPort);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.write(true, ByteBuffer.wrap(answer), callback);
                return true;
            }
        });
        server.start();
        server.join();
    }
}
