package dev.costwise.llm.provider;

import java.util.Objects;
import java.util.Optional;

/**
 * A request an adapter cannot express in its provider's API, refused before anything is sent: a combination the
 * provider is known to refuse (a temperature with Anthropic's thinking, more than 4 cache breakpoints), or a field it
 * has no form for. Unlike a {@link ProviderException} it is not a provider's failure: no call was made, so nothing is
 * billed or recorded as a failed call, and another provider's model may take the same request. It is a kind of
 * {@link IllegalArgumentException}, the JDK's word for a request that cannot be served as given.
 */
public final class UnsupportedRequestException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    /** The request field at fault, in OpenAI's chat names; null when the adapter cannot tell which. */
    private final String param;

    /**
     * @param param the request field at fault, in OpenAI's chat names ({@code temperature}, {@code max_tokens},
     *     {@code messages[2].content})
     * @param message what cannot be sent and why, naming the value and the model
     */
    public UnsupportedRequestException(String param, String message) {
        super(message);
        this.param = Objects.requireNonNull(param, "param");
    }

    private UnsupportedRequestException(IllegalArgumentException cause) {
        super(cause.getMessage(), cause);
        this.param = null;
    }

    /**
     * @param e what an adapter's request mapping refused
     * @return {@code e} itself when it names its field; else the same refusal, naming none
     */
    public static UnsupportedRequestException of(IllegalArgumentException e) {
        return e instanceof UnsupportedRequestException u ? u : new UnsupportedRequestException(e);
    }

    /** @return the request field at fault, in OpenAI's chat names; empty when the adapter cannot tell which */
    public Optional<String> param() {
        return Optional.ofNullable(param);
    }
}
