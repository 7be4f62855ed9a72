package dev.costwise.llm.provider.http;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A complete HTTP response: status, headers and the whole body.
 *
 * @param status the HTTP status code
 * @param headers the response headers
 * @param body the body bytes; empty for none
 */
public record HttpResult(int status, HttpHeaders headers, byte[] body) {

    public HttpResult {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
    }

    /** @return the body decoded as UTF-8 */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** @return {@code true} for a 2xx status */
    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpResult r && status == r.status && headers.equals(r.headers)
                && java.util.Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers, java.util.Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "HttpResult[" + status + ", " + body.length + " bytes]";
    }
}
