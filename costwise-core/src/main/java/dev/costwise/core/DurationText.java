package dev.costwise.core;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as configuration files write them: a whole number and a unit, {@code 250ms}, {@code 30s}, {@code 5m},
 * {@code 1h} or {@code 1d}. One syntax for the gateway's configuration and the planner's reading of it. Stateless.
 */
public final class DurationText {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private DurationText() {}

    /**
     * @param text the text (any case, surrounding blanks ignored)
     * @return the duration, or empty if the text is not one
     */
    public static Optional<Duration> parse(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        });
    }

    /**
     * @param duration a duration of whole milliseconds, not negative
     * @return it as a configuration file writes it, in the largest unit that holds it whole: {@code 5s} for
     *     {@code PT5S}, {@code 1500ms}, {@code 90m}; {@link #parse} reads it back
     */
    public static String format(Duration duration) {
        long ms = duration.toMillis();
        if (ms == 0) {
            return "0s";
        }
        for (Unit unit : Unit.values()) {
            if (ms % unit.millis == 0) {
                return ms / unit.millis + unit.symbol;
            }
        }
        return ms + "ms";
    }

    private enum Unit {
        DAYS("d", 86_400_000), HOURS("h", 3_600_000), MINUTES("m", 60_000), SECONDS("s", 1_000);

        private final String symbol;
        private final long millis;

        Unit(String symbol, long millis) {
            this.symbol = symbol;
            this.millis = millis;
        }
    }
}
