package dev.costwise.llm.provider.http;

import dev.costwise.llm.provider.ProviderException;

/**
 * A provider's redirect (an HTTP 3xx answer). Costwise never follows one: the API key would go to wherever it points.
 * A provider's API does not redirect its calls, so a redirect says that the upstream, or the base URL it was
 * configured with, is wrong, never the caller's request: it fails as a {@link ProviderException.ServerError} (a
 * gateway answers 502 and tries the fallbacks) whose message names the status. Nothing of the answer is kept, neither
 * its {@code Location} nor its body, which may quote that URL with whatever credentials it carries. Stateless.
 */
public final class Redirects {

    private Redirects() {}

    /**
     * @param status an HTTP status
     * @return whether it is a redirect (3xx)
     */
    public static boolean isRedirect(int status) {
        return status >= 300 && status < 400;
    }

    /**
     * @param details provider, model, the redirect's status and request id
     * @param status the redirect's status
     * @return the failure to throw for it
     */
    public static ProviderException failure(ProviderException.Details details, int status) {
        return new ProviderException.ServerError(details, "the provider answered with a redirect (HTTP " + status
                + "), which is not followed; check the model's base URL");
    }
}
