package dev.costwise.cli;

import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.EmbeddedDefaults;
import dev.costwise.gateway.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the configuration: {@code --config}, else {@code $COSTWISE_CONFIG}, else the embedded default. */
final class ConfigSource {
    private ConfigSource() {}

    static GatewayConfig load(Optional<Path> file) {
        Optional<Path> path = file.or(() -> Optional.ofNullable(System.getenv("COSTWISE_CONFIG"))
                .filter(s -> !s.isBlank()).map(Path::of));
        if (path.isPresent()) {
            if (!Files.exists(path.get())) {
                throw new IllegalArgumentException("config file not found: " + path.get().toAbsolutePath());
            }
            return new ConfigLoader(System::getenv).load(path.get());
        }
        return EmbeddedDefaults.fromEnvironment(System::getenv);
    }
}
