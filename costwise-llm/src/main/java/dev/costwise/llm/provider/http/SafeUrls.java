package dev.costwise.llm.provider.http;

import java.util.regex.Pattern;

/**
 * Shows a provider's URL without the parts that may hold credentials: user info ({@code https://user:pass@host}) and
 * the query ({@code ?api-key=...}, {@code ?key=...}), with the fragment. What is left (scheme, host, port, path) may
 * be logged; it is still not for callers of a gateway, whose errors name the model instead. Stateless.
 */
public final class SafeUrls {
    /** User info after the scheme's {@code //}, or at the start of a URL written without its scheme. */
    private static final Pattern USER_INFO = Pattern.compile("(?<=^|//)[^/?#]*@");

    private SafeUrls() {}

    /**
     * @param url a URL, as configured or sent (one missing its scheme, {@code user:pass@host/v1}, loses its user
     *     info too)
     * @return {@code url} without user info, query and fragment
     */
    public static String withoutSecrets(String url) {
        int end = url.length();
        for (char c : new char[] {'?', '#'}) {
            int at = url.indexOf(c);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return USER_INFO.matcher(url.substring(0, end)).replaceFirst("");
    }
}
