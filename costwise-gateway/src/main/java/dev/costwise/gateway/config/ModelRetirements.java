package dev.costwise.gateway.config;

import dev.costwise.gateway.config.GatewayConfig.Model;
import dev.costwise.llm.catalog.ModelInfo;
import java.time.Clock;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Warns of configured models their provider has retired, or retires soon: {@code costwise config check} prints the
 * warnings and the gateway logs them at start. They are warnings, not errors: the config stays valid, and a model
 * retired on the provider's own API may still be reachable elsewhere (through a proxy at its {@code base_url}).
 *
 * <p>A model's retirement date is the bundled catalog's {@link ModelInfo#retiresOn()} of the entry its provider and
 * upstream id name, as {@link EmbeddedDefaults#knownPrice} finds its price. Simulated models are never warned of.
 */
public final class ModelRetirements {
    /** How far ahead a coming retirement is warned of. */
    public static final int WARN_DAYS_AHEAD = 30;

    private ModelRetirements() {}

    /**
     * @param config the configuration
     * @param clock today's date, in the clock's zone
     * @return one line per model retired by today or within {@value #WARN_DAYS_AHEAD} days, in config order; empty
     *     when none is
     */
    public static List<String> warnings(GatewayConfig config, Clock clock) {
        Objects.requireNonNull(config, "config");
        LocalDate today = LocalDate.now(Objects.requireNonNull(clock, "clock"));
        List<String> out = new ArrayList<>();
        for (Model m : config.models()) {
            retiresOn(m).ifPresent(day -> warning(m, day, today).ifPresent(out::add));
        }
        return out;
    }

    /**
     * @param m a configured model
     * @return the day its provider stops serving it, when the catalog knows one
     */
    public static Optional<LocalDate> retiresOn(Model m) {
        // The date is the provider's own: an entry of another provider (the sim, an OpenAI-compatible proxy) says
        // nothing of this deployment.
        return EmbeddedDefaults.catalogEntries(m.provider(), m.upstreamModel()).stream()
                .filter(info -> info.provider().equals(m.provider())).findFirst().flatMap(ModelInfo::retiresOn);
    }

    private static Optional<String> warning(Model m, LocalDate day, LocalDate today) {
        String which = "model '" + m.name() + "' (" + m.provider() + "/" + m.upstreamModel() + ")";
        String move = ": move to a current model (see costwise models --catalog)";
        long days = ChronoUnit.DAYS.between(today, day);
        if (days <= 0) {
            return Optional.of(which + " was retired by its provider on " + day + ", so its calls fail or are "
                    + "answered by a replacement at other prices" + move);
        }
        if (days > WARN_DAYS_AHEAD) {
            return Optional.empty();
        }
        return Optional.of(which + " retires on " + day + " (in " + days + (days == 1 ? " day" : " days")
                + "): from then its provider no longer serves it, and its calls fail or are answered by a "
                + "replacement at other prices" + move);
    }
}
