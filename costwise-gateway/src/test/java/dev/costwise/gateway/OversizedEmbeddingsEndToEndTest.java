package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.costwise.core.Money;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.provider.http.HttpBodies;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.StringJoiner;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;

/**
 * OpenAI's largest embeddings batch (2048 inputs) at text-embedding-3-small's 1536 dimensions, as base64 (the OpenAI
 * SDK's default), is answered with about 16.9 MB: more than the gateway reads. That is the batch's size, not a
 * provider fault: the same batch gets the same answer. So it is not retried (each attempt is a call the provider
 * bills), does not open the model's circuit for every other caller, and is answered with a 400 that names the batch
 * size that fits, billed what the provider reported (https://platform.openai.com/docs/api-reference/embeddings: the
 * answer's {@code usage} follows its {@code data}). The answers are generated as they are sent: the test holds none.
 */
class OversizedEmbeddingsEndToEndTest {
    private static final int INPUTS = 2048;
    /** 1536 float32 as base64: 6144 bytes in 8192 characters. */
    private static final String VECTOR = "A".repeat(8192);
    private static final String USAGE = ",\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":12288,"
            + "\"total_tokens\":12288}}";

    @StartStop
    final MockWebServer upstream = new MockWebServer();

    private static String batch() {
        StringJoiner inputs = new StringJoiner(",", "[", "]");
        for (int i = 0; i < INPUTS; i++) {
            inputs.add("\"chunk " + i + " of a document\"");
        }
        return "{\"model\":\"text-embedding-3-small\",\"encoding_format\":\"base64\",\"input\":" + inputs + "}";
    }

    private static byte[] item(int i) {
        return ((i == 0 ? "" : ",") + "{\"object\":\"embedding\",\"index\":" + i + ",\"embedding\":\"" + VECTOR
                + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static final byte[] OPENING = "{\"object\":\"list\",\"data\":[".getBytes(StandardCharsets.UTF_8);

    /** @return the size of the answer to the batch, ending with {@code closing} */
    private static long size(String closing) {
        long size = OPENING.length + ("]" + closing).length();
        for (int i = 0; i < INPUTS; i++) {
            size += item(i).length;
        }
        return size;
    }

    /** OpenAI's answer to the batch, chunked, or with its {@code Content-Length} when {@code declared}. */
    private static MockResponse answer(String closing, boolean declared) {
        MockResponse.Builder b = new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                .body(new MockResponseBody() {
                    @Override
                    public long getContentLength() {
                        return declared ? size(closing) : -1;
                    }

                    @Override
                    public void writeTo(BufferedSink sink) throws IOException {
                        write(sink, OPENING);
                        for (int i = 0; i < INPUTS; i++) {
                            write(sink, item(i));
                        }
                        write(sink, ("]" + closing).getBytes(StandardCharsets.UTF_8));
                        if (!declared) {
                            sink.writeUtf8("0\r\n\r\n");
                        }
                        sink.flush();
                    }

                    private void write(BufferedSink sink, byte[] bytes) throws IOException {
                        if (declared) {
                            sink.write(bytes);
                        } else {
                            sink.writeUtf8(Integer.toHexString(bytes.length)).writeUtf8("\r\n").write(bytes)
                                    .writeUtf8("\r\n");
                        }
                    }
                });
        // MockWebServer, which does not know the body is chunked, closes its connection after it: so it says so
        return declared ? b.build() : b.removeHeader("Content-Length").addHeader("Transfer-Encoding", "chunked")
                .addHeader("Connection", "close").build();
    }

    @Test
    void givenABatchWhoseAnswerIsOverTheLimit_whenSentTwice_thenEachIsOneBilled400AndOtherCallersAreServed() {
        upstream.enqueue(answer(USAGE, false));
        upstream.enqueue(answer(USAGE, false));
        upstream.enqueue(OpenAiFake.embeddings("[0.1]", 1));
        try (TestGateway gw = TestGateway.openAiEmbeddings(upstream)) {
            HttpResponse<String> first = gw.post("/v1/embeddings", batch());
            HttpResponse<String> second = gw.post("/v1/embeddings", batch());
            HttpResponse<String> small = gw.post("/v1/embeddings",
                    "{\"model\":\"text-embedding-3-small\",\"input\":\"hello\"}");

            assertThat(first.statusCode()).isEqualTo(400);
            JsonNode error = TestGateway.json(first.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("answer_too_large");
            assertThat(error.get("param").asText()).isEqualTo("input");
            long fits = (long) INPUTS * HttpBodies.DEFAULT_MAX_SIZE / size(USAGE);
            assertThat(error.get("message").asText()).contains("the answer to this batch of 2,048 inputs is 16.")
                    .contains("larger than the gateway's 16 MB limit on answers (server.max_answer_size): "
                            + String.format(Locale.ROOT, "send at most about %,d inputs a request", fits));
            assertThat(second.statusCode()).isEqualTo(400);
            assertThat(small.statusCode()).as("the circuit stayed closed").isEqualTo(200);
            assertThat(upstream.getRequestCount()).as("no retry").isEqualTo(3);
            CostRecord billed = gw.records().getFirst();
            assertThat(billed.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(billed.errorKind()).hasValue("answer_too_large");
            // the usage the provider reported after the vectors: 12,288 tokens at $0.02 per 1M
            assertThat(billed.usage().inputTokens()).isEqualTo(12_288);
            assertThat(billed.usage().estimated()).isFalse();
            assertThat(billed.cost()).isEqualTo(Money.of("0.00024576"));
        }
    }

    @Test
    void givenAnOversizedAnswerWithoutUsage_whenSent_thenTheAttemptIsBilledTheInputEstimate() {
        upstream.enqueue(answer("}", true));
        try (TestGateway gw = TestGateway.openAiEmbeddings(upstream)) {
            HttpResponse<String> res = gw.post("/v1/embeddings", batch());

            assertThat(res.statusCode()).isEqualTo(400);
            assertThat(TestGateway.json(res.body()).at("/error/code").asText()).isEqualTo("answer_too_large");
            CostRecord billed = gw.records().getFirst();
            assertThat(billed.usage().estimated()).isTrue();
            assertThat(billed.usage().inputTokens()).isPositive();
            assertThat(billed.cost().isZero()).isFalse();
            assertThat(upstream.getRequestCount()).isEqualTo(1);
        }
    }
}
