package dev.costwise.llm.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.catalog.UnknownModelException;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.llm.cost.Pricer;
import dev.costwise.llm.provider.ProviderException;
import dev.costwise.llm.provider.http.ApiKey;
import dev.costwise.llm.provider.http.HttpCall;
import dev.costwise.llm.provider.http.HttpHeaders;
import dev.costwise.llm.provider.http.HttpResult;
import dev.costwise.llm.provider.http.HttpStreamResponse;
import dev.costwise.llm.provider.http.HttpTransport;
import dev.costwise.llm.provider.http.TransportTimeoutException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The adapter over a plugged-in {@link HttpTransport}: the seam other clients and tests use. */
class PluggedTransportTest {

    private final List<HttpCall> calls = new ArrayList<>();

    private HttpTransport answering(int status, Map<String, String> headers, String body) {
        return new HttpTransport() {
            @Override
            public HttpResult send(HttpCall call) {
                calls.add(call);
                return new HttpResult(status, HttpHeaders.of(headers), body.getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public HttpStreamResponse stream(HttpCall call) throws IOException {
                throw new IOException("not used");
            }
        };
    }

    private static final String FROM_FLASH = """
            {"id":"x","object":"chat.completion","model":"gemini-2.5-flash","choices":[{"index":0,
             "message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":1000000,"completion_tokens":0,"total_tokens":1000000}}""";

    @Test
    void givenDowngradeToUnpricedModel_whenExecuted_thenPricedAsTheRequestedModel() {
        Pricer onlyPro = (model, usage) -> {
            if (!model.equals("gemini-2.5-pro")) {
                throw new UnknownModelException(model, List.of());
            }
            return new Pricer.Priced(Money.of("1.25").perMillion(usage.inputTokens()), PriceStatus.PRICED);
        };
        OpenAiCompatibleChatModel m = OpenAiCompatibleChatModel.builder(
                        OpenAiCompatibleEndpoint.custom("gemini-compat", "https://example.invalid/v1beta/openai"),
                        "gemini-2.5-pro")
                .pricer(onlyPro).transport(answering(200, Map.of(), FROM_FLASH)).environment(Map.of()).build();

        ChatResponse r = m.execute(ChatRequest.of("gemini-2.5-pro", "hi"), WorkflowContext.of("t"));

        assertThat(r.modelDowngraded()).isTrue();
        assertThat(r.cost()).isEqualTo(Money.of("1.25"));
        assertThat(calls).singleElement().extracting(c -> c.uri().toString())
                .isEqualTo("https://example.invalid/v1beta/openai/chat/completions");
    }

    @Test
    void givenThrowingRateLimitListener_whenExecuted_thenCallStillSucceeds() {
        OpenAiCompatibleChatModel m = OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.GROQ, "gemini-2.5-flash")
                .apiKey(ApiKey.of("gsk_test123456"))
                .pricer((model, usage) -> new Pricer.Priced(Money.ZERO, PriceStatus.FREE_TIER))
                .rateLimitListener(s -> {
                    throw new IllegalStateException("listener bug");
                })
                .transport(answering(200, Map.of("x-ratelimit-remaining-requests", "5"), FROM_FLASH))
                .environment(Map.of()).build();

        assertThat(m.execute(ChatRequest.of("m", "hi"), WorkflowContext.of("t")).text()).isEqualTo("ok");
    }

    @Test
    void givenTransportTimeout_whenExecuted_thenProviderTimeoutWithTheLimit() {
        HttpTransport slow = new HttpTransport() {
            @Override
            public HttpResult send(HttpCall call) throws IOException {
                throw new TransportTimeoutException(TransportTimeoutException.Phase.CONNECT, Duration.ofSeconds(3),
                        null);
            }

            @Override
            public HttpStreamResponse stream(HttpCall call) throws IOException {
                return send(call) == null ? null : null;
            }
        };
        OpenAiCompatibleChatModel m = OpenAiCompatibleChatModel.builder(
                        OpenAiCompatibleEndpoint.custom("vllm", "http://gpu:8000/v1"), "qwen")
                .pricer((model, usage) -> new Pricer.Priced(Money.ZERO, PriceStatus.LOCAL)).transport(slow)
                .environment(Map.of()).build();

        assertThatThrownBy(() -> m.execute(ChatRequest.of("qwen", "hi"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.ProviderTimeout.class)
                .hasMessage("vllm qwen: connect timed out after 3000 ms");
        assertThatThrownBy(() -> m.stream(ChatRequest.of("qwen", "hi"), WorkflowContext.of("t")))
                .isInstanceOf(ProviderException.ProviderTimeout.class);
    }
}
