package dev.costwise.gateway;

import mockwebserver3.MockResponse;

/**
 * Answers in OpenAI's documented wire format (https://platform.openai.com/docs/api-reference/chat/object,
 * https://platform.openai.com/docs/api-reference/chat-streaming, https://platform.openai.com/docs/guides/error-codes,
 * https://platform.openai.com/docs/api-reference/embeddings/object).
 */
final class OpenAiFake {
    private OpenAiFake() {}

    /** The start of a {@code chat.completion.chunk} event, up to its choices. */
    static final String CHUNK_HEAD = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt-4o-mini\",\"choices\":";

    static MockResponse completion(String model, String text, int promptTokens, int completionTokens) {
        return completion(model, text, "\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":"
                + completionTokens + ",\"total_tokens\":" + (promptTokens + completionTokens)
                + ",\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":"
                + "{\"reasoning_tokens\":0}},");
    }

    /**
     * A completion whose usage is {@code usage}: the JSON member with its trailing comma ({@code "usage":{...},} or
     * {@code "usage":null,}), or "" for none, as some OpenAI-compatible servers answer.
     */
    static MockResponse completion(String model, String text, String usage) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .addHeader("x-request-id", "req_upstream_1")
                .body("{\"id\":\"chatcmpl-abc\",\"object\":\"chat.completion\",\"created\":1741569952,\"model\":\""
                        + model + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
                        + text + "\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}]," + usage
                        + "\"system_fingerprint\":\"fp_1\"}")
                .build();
    }

    /**
     * An embeddings answer of text-embedding-3-small
     * (https://platform.openai.com/docs/api-reference/embeddings/object).
     *
     * @param vectors the vectors as JSON arrays, one an input, separated by {@code ;} ("" for none)
     * @param promptTokens the tokens its usage reports
     */
    static MockResponse embeddings(String vectors, int promptTokens) {
        StringBuilder data = new StringBuilder();
        String[] each = vectors.isEmpty() ? new String[0] : vectors.split(";");
        for (int i = 0; i < each.length; i++) {
            data.append(i == 0 ? "" : ",").append("{\"object\":\"embedding\",\"index\":").append(i)
                    .append(",\"embedding\":").append(each[i]).append('}');
        }
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"object\":\"list\",\"data\":[" + data + "],\"model\":\"text-embedding-3-small\","
                        + "\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"total_tokens\":" + promptTokens + "}}")
                .build();
    }

    static MockResponse error(int status, String type, String code, String message) {
        MockResponse.Builder b = new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":null,"
                        + "\"code\":" + (code == null ? "null" : "\"" + code + "\"") + "}}");
        if (status == 429) {
            b.addHeader("retry-after", "1");
        }
        return b.build();
    }

    static MockResponse stream(String model, String... words) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(streamText(model, words)).build();
    }

    /** The server-sent events of a streamed completion of {@code words}, with a usage chunk and [DONE]. */
    static String streamText(String model, String... words) {
        StringBuilder sb = new StringBuilder();
        String head = "{\"id\":\"chatcmpl-s1\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\""
                + model + "\",\"system_fingerprint\":\"fp_1\",\"choices\":";
        sb.append("data: ").append(head).append("[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        for (String w : words) {
            sb.append("data: ").append(head).append("[{\"index\":0,\"delta\":{\"content\":\"").append(w)
                    .append("\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        }
        sb.append("data: ").append(head).append("[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":"
                + "\"stop\"}],\"usage\":null}\n\n");
        sb.append("data: ").append(head).append("[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":")
                .append(words.length).append(",\"total_tokens\":").append(12 + words.length).append("}}\n\n");
        sb.append("data: [DONE]\n\n");
        return sb.toString();
    }
}
