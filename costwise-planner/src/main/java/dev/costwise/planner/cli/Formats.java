package dev.costwise.planner.cli;

import java.util.Arrays;
import java.util.Locale;

/** Parses {@code --format}. */
final class Formats {

    private Formats() {
    }

    static OutputFormat parse(String value) {
        try {
            return OutputFormat.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown --format '" + value + "'; formats are "
                    + Arrays.toString(OutputFormat.values()).toLowerCase(Locale.ROOT), e);
        }
    }

    /** The format names, lower case, for {@code --format}'s help ({@code ${COMPLETION-CANDIDATES}}). */
    static final class Names implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Arrays.stream(OutputFormat.values()).map(f -> f.name().toLowerCase(Locale.ROOT)).iterator();
        }
    }
}
