package dev.costwise.gateway.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * {@code GET /dashboard}: one self-contained page that shows spend, savings and budgets from {@code GET /v1/spend}
 * and {@code GET /v1/budgets}. The page holds no data and needs no key to load; it asks for the master key and sends
 * it only to this gateway. Its content security policy allows exactly its own inline script and style (by hash) and
 * requests to this origin, so nothing a key name or tag holds can run in it.
 */
public final class DashboardPage {
    private static final String RESOURCE = "dashboard.html";

    private final byte[] page;
    private final String contentSecurityPolicy;

    /** Loads the page from the class path. */
    public DashboardPage() {
        String html;
        try (InputStream in = DashboardPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the gateway's jar");
            }
            html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.page = html.getBytes(StandardCharsets.UTF_8);
        this.contentSecurityPolicy = "default-src 'none'; connect-src 'self'; img-src data:; base-uri 'none';"
                + " form-action 'none'; frame-ancestors 'none'; script-src " + hashOf(html, "script")
                + "; style-src " + hashOf(html, "style");
    }

    /** Serves the page. */
    public void serve(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header("Content-Security-Policy", contentSecurityPolicy);
        res.header("X-Content-Type-Options", "nosniff");
        res.header("Referrer-Policy", "no-referrer");
        res.send(page);
    }

    /** @return the CSP source for the one {@code <tag>} element of the page: {@code 'sha256-…'} of its text */
    static String hashOf(String html, String tag) {
        int open = html.indexOf("<" + tag + ">");
        int close = html.indexOf("</" + tag + ">");
        if (open < 0 || close < open || html.indexOf("<" + tag + ">", open + 1) >= 0) {
            throw new IllegalStateException(RESOURCE + " must hold exactly one <" + tag + "> element");
        }
        String text = html.substring(open + tag.length() + 2, close);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
