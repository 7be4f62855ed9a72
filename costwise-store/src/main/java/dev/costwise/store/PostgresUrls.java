package dev.costwise.store;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a PostgreSQL URL written as libpq takes it ({@code postgresql://user:password@host/db}, with or without
 * {@code jdbc:}) into one the JDBC driver takes: it reads no user info, and answered such a URL with a bare "The
 * connection attempt failed.". The user and password move into its {@code user} and {@code password} parameters,
 * which messages and logs never show. Stateless.
 */
final class PostgresUrls {
    private static final String JDBC = "jdbc:postgresql://";
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*", Pattern.DOTALL);

    private PostgresUrls() {}

    /**
     * @param location a ledger location: a SQLite path, a JDBC URL, or a {@code postgres://} or {@code postgresql://}
     *     URL
     * @return the JDBC URL of a PostgreSQL location, its user info moved into parameters; any other unchanged
     * @throws IllegalArgumentException for a URL of another scheme, or one giving the user or password twice (as user
     *     info and as a parameter); the message never holds the URL
     */
    static String jdbcUrl(String location) {
        String url = location;
        if (SCHEME.matcher(location).matches()) {
            String scheme = location.substring(0, location.indexOf("://")).toLowerCase(Locale.ROOT);
            if (!scheme.equals("postgres") && !scheme.equals("postgresql") && !scheme.equals("file")) {
                throw new IllegalArgumentException("unsupported ledger location '" + scheme + "://…': use a SQLite "
                        + "path, jdbc:sqlite:<path> or jdbc:postgresql://[user:password@]host:port/database");
            }
            url = scheme.equals("file") ? location : JDBC + location.substring(location.indexOf("://") + 3);
        }
        return url.startsWith(JDBC) ? withUserInfoAsParameters(url) : url;
    }

    private static String withUserInfoAsParameters(String url) {
        String rest = url.substring(JDBC.length());
        int queryAt = rest.indexOf('?');
        String address = queryAt < 0 ? rest : rest.substring(0, queryAt);
        String query = queryAt < 0 ? "" : rest.substring(queryAt + 1);
        int pathAt = address.indexOf('/');
        // the last '@' of the host part: a password written with '@' unescaped still counts as one
        int at = address.lastIndexOf('@', pathAt < 0 ? address.length() : pathAt);
        if (at < 0) {
            return url;
        }
        String userInfo = address.substring(0, at);
        int colon = userInfo.indexOf(':');
        StringBuilder parameters = new StringBuilder(query);
        add(parameters, "user", colon < 0 ? userInfo : userInfo.substring(0, colon));
        if (colon >= 0) {
            add(parameters, "password", userInfo.substring(colon + 1));
        }
        return JDBC + address.substring(at + 1) + "?" + parameters;
    }

    private static void add(StringBuilder parameters, String name, String percentEncoded) {
        if (percentEncoded.isEmpty()) {
            return;
        }
        for (String p : parameters.toString().split("&")) {
            if (p.toLowerCase(Locale.ROOT).startsWith(name + "=")) {
                throw new IllegalArgumentException("the PostgreSQL ledger URL gives its " + name + " twice, before '@'"
                        + " and as ?" + name + "=: keep one");
            }
        }
        // user info is percent-encoded with '+' as itself; the driver decodes parameters as a form does
        String value = URLDecoder.decode(percentEncoded.replace("+", "%2B"), StandardCharsets.UTF_8);
        parameters.append(parameters.isEmpty() ? "" : "&").append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
}
