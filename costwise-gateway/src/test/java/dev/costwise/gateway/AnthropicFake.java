package dev.costwise.gateway;

import mockwebserver3.MockResponse;

/**
 * Answers in Anthropic's documented Messages format (https://docs.claude.com/en/api/messages, streamed per
 * https://docs.claude.com/en/docs/build-with-claude/streaming).
 */
final class AnthropicFake {
    private AnthropicFake() {}

    /**
     * @param stopSequence the JSON of {@code stop_sequence}: a quoted string, or {@code null}
     * @return a whole message of one text block
     */
    static MockResponse message(String text, String stopReason, String stopSequence) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body("{\"id\":\"msg_01A\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
                        + "\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"}],\"stop_reason\":\"" + stopReason
                        + "\",\"stop_sequence\":" + stopSequence + ",\"usage\":{\"input_tokens\":20,"
                        + "\"output_tokens\":5}}")
                .build();
    }

    /**
     * @param content the JSON of the message's content blocks
     * @param stopSequence the JSON of {@code stop_sequence}: a quoted string, or {@code null}
     * @param usage the JSON of its usage
     * @return a whole message of those blocks
     */
    static MockResponse blocks(String content, String stopReason, String stopSequence, String usage) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body("""
                {"id": "msg_01B", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                 "content": %s, "stop_reason": "%s", "stop_sequence": %s, "usage": %s}""".formatted(content,
                stopReason, stopSequence, usage)).build();
    }

    /**
     * @param stopSequence the JSON of {@code stop_sequence}: a quoted string, or {@code null}
     * @return a streamed message of one text block
     */
    static MockResponse stream(String text, String stopReason, String stopSequence) {
        String sse = event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01S\",\"type\":"
                + "\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\","
                + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}")
                + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
                + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}")
                + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason
                + "\",\"stop_sequence\":" + stopSequence + "},\"usage\":{\"output_tokens\":5}}")
                + event("message_stop", "{\"type\":\"message_stop\"}");
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream").body(sse).build();
    }

    /**
     * @param model the model that answers
     * @param startUsage the members of {@code message_start}'s usage, without braces
     * @param deltaUsage the members of {@code message_delta}'s usage, without braces
     * @return a streamed message of one text block, "ok", ended by {@code end_turn}
     */
    static MockResponse okStream(String model, String startUsage, String deltaUsage) {
        return events(
                "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"content\":[],\"model\":\"" + model + "\",\"stop_reason\":null,"
                        + "\"stop_sequence\":null,\"usage\":{" + startUsage + "}}}",
                "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                        + "{\"type\":\"text\",\"text\":\"\"}}",
                "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"text_delta\",\"text\":\"ok\"}}",
                "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}",
                "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                        + "\"stop_sequence\":null},\"usage\":{" + deltaUsage + "}}",
                "message_stop", "{\"type\":\"message_stop\"}");
    }

    /**
     * @param typeAndData each event's type then its data, in turn
     * @return a stream of those events
     */
    static MockResponse events(String... typeAndData) {
        StringBuilder sse = new StringBuilder();
        for (int i = 0; i < typeAndData.length; i += 2) {
            sse.append(event(typeAndData[i], typeAndData[i + 1]));
        }
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/event-stream")
                .body(sse.toString()).build();
    }

    private static String event(String type, String data) {
        return "event: " + type + "\ndata: " + data + "\n\n";
    }
}
