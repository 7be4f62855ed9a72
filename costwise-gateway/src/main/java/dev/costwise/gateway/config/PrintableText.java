package dev.costwise.gateway.config;

/**
 * Text that is shown in logs and terminals must not hold control characters: a line break in a key's name would
 * start a forged line in the audit log, and an escape sequence would recolour or rewrite what a terminal shows. These
 * are the ISO control characters (C0, DEL, C1; line breaks, tabs and ESC among them) and the Unicode line and
 * paragraph separators, which some log viewers break lines at.
 */
public final class PrintableText {
    private PrintableText() {}

    /** @return {@code true} if {@code c} is a control character or a line or paragraph separator */
    public static boolean isControl(int c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }

    /** @return {@code true} if {@code s} holds a control character */
    public static boolean hasControl(String s) {
        return s.codePoints().anyMatch(PrintableText::isControl);
    }

    /**
     * @param s text to show on one line
     * @return {@code s} with each control character written as a Java escape ({@code \n}, {@code \r}, {@code \t},
     *     else {@code \}{@code uXXXX}), and each backslash doubled so that an escape cannot be forged either
     */
    public static String escaped(String s) {
        if (!hasControl(s) && s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        s.codePoints().forEach(c -> {
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (isControl(c)) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
