package dev.costwise.gateway;

import mockwebserver3.MockResponse;

/**
 * Answers in OpenRouter's documented stream format (https://openrouter.ai/docs/api-reference/streaming): OpenAI's
 * chunks, its {@code : OPENROUTER PROCESSING} comments, and a failure mid-generation as a chunk with an {@code error}
 * and the {@code usage} of the generation it failed.
 */
final class OpenRouterFake {
    private OpenRouterFake() {}

    /**
     * @param prompt the failed generation's prompt tokens
     * @param completion its completion tokens
     * @param words the content chunks before the failure (none: only the role chunk)
     * @return the stream, ended by the error event with that usage, then [DONE]
     */
    static MockResponse streamFailing(int prompt, int completion, String... words) {
        String head = "data: {\"id\":\"gen-2\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,"
                + "\"model\":\"openai/gpt-4o-mini\",\"provider\":\"OpenAI\",";
        StringBuilder sse = new StringBuilder(": OPENROUTER PROCESSING\n\n").append(head)
                .append("\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},")
                .append("\"finish_reason\":null}]}\n\n");
        for (String w : words) {
            sse.append(head).append("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"").append(w)
                    .append("\"},\"finish_reason\":null}]}\n\n");
        }
        sse.append(head).append("\"error\":{\"code\":502,\"message\":\"Provider returned error\"},")
                .append("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}],")
                .append("\"usage\":{\"prompt_tokens\":").append(prompt).append(",\"completion_tokens\":")
                .append(completion).append(",\"total_tokens\":").append(prompt + completion).append("}}\n\n")
                .append("data: [DONE]\n\n");
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(sse.toString()).build();
    }
}
