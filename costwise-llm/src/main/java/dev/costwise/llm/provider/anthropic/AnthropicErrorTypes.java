package dev.costwise.llm.provider.anthropic;

/**
 * The error {@code type} Anthropic's API gives each HTTP status (https://docs.claude.com/en/api/errors), for reading an
 * error body that lacks one and for writing errors in Anthropic's shape.
 */
public final class AnthropicErrorTypes {
    private AnthropicErrorTypes() {}

    /**
     * @param status an HTTP status
     * @return Anthropic's error type for it ({@code api_error} for any status Anthropic does not name)
     */
    public static String forStatus(int status) {
        return switch (status) {
            case 400, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 503, 529 -> "overloaded_error";
            default -> "api_error";
        };
    }
}
