package dev.costwise.cli;

import dev.costwise.gateway.Gateway;
import dev.costwise.gateway.GatewayStartException;
import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code costwise serve}: runs the gateway in the foreground until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the OpenAI-compatible gateway (Ctrl-C drains in-flight requests and flushes the ledger).")
final class ServeCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, description = "YAML config (default: $COSTWISE_CONFIG, else providers "
            + "detected from the environment, else the simulator)")
    Path config;

    @Option(names = "--host", description = "interface to bind (default: config, else 127.0.0.1)")
    String host;

    @Option(names = {"-p", "--port"}, description = "port (default: config, else 4000)")
    Integer port;

    @Override
    public Integer call() throws InterruptedException {
        GatewayConfig cfg;
        try {
            cfg = ConfigSource.load(Optional.ofNullable(config));
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("costwise: " + e.getMessage());
            return 2;
        }
        GatewayConfig.Server s = cfg.server();
        cfg = cfg.withServer(s.withAddress(host != null ? host : s.host(), port != null ? port : s.port()));
        Gateway gateway;
        try {
            gateway = Gateway.builder(cfg).build().start();
        } catch (GatewayStartException e) {
            System.err.println("costwise: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "costwise-shutdown"));
        gateway.awaitShutdown();
        if (gateway.failure().isPresent()) { // stopped on its own: exit with an error, so a supervisor restarts it
            System.err.println("costwise: " + gateway.failure().get());
            return 1;
        }
        return 0;
    }
}
