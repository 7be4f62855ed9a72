package dev.costwise.llm.provider.http;

/**
 * Describes an error a provider sent inside a successful answer: an error event in a stream whose response began
 * with 200 (OpenAI's and OpenRouter's {@code data: {"error": ...}}, Anthropic's {@code event: error}, a Gemini chunk
 * holding an {@code error}, an Ollama NDJSON {@code {"error": ...}} line), or an error object in a 200 body
 * (OpenRouter, once the model has started). No HTTP error status was sent for such an error, so the exception
 * reports none ({@link dev.costwise.llm.provider.ProviderException#status()} is empty) and its message says where
 * the error came from instead. The exception's type still follows the error's own type or code. Stateless.
 */
public final class InBandErrors {

    private InBandErrors() {}

    /**
     * @param message the provider's message, already shortened and free of secrets
     * @param status the status the stream began with
     * @return the message with where it came from, such as {@code "… (error event in an HTTP 200 stream)"}
     */
    public static String streamEvent(String message, int status) {
        return message + " (error event in an HTTP " + status + " stream)";
    }

    /**
     * @param message the provider's message, already shortened and free of secrets
     * @param status the response's status
     * @return the message with where it came from, such as {@code "… (error in the body of an HTTP 200 response)"}
     */
    public static String inBody(String message, int status) {
        return message + " (error in the body of an HTTP " + status + " response)";
    }
}
