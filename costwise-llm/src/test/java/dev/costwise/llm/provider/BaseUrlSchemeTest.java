package dev.costwise.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.llm.embedding.OllamaEmbeddingModel;
import dev.costwise.llm.provider.http.TestPricers;
import dev.costwise.llm.provider.ollama.OllamaChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleChatModel;
import dev.costwise.llm.provider.openai.OpenAiCompatibleEndpoint;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A base URL of another scheme than http(s) is refused when the adapter is built, whichever way it was given: as text,
 * as a URI or in the environment (bug bash 4, F5). Before, Ollama's text overload and {@code OLLAMA_HOST} took
 * {@code ftp://gpu-box:11434}, and every call then failed with a vague connection error that was retried as
 * transient. The message names the setting and the URL, never its user info or query.
 */
class BaseUrlSchemeTest {

    private static final String FTP = "ftp://gpu-box:11434";
    private static final String FTP_WITH_SECRETS = "ftp://admin:s3cret@gpu-box:11434/?token=t0ken";

    @Test
    void givenAnFtpUrl_whenSetAsTextOnOllamasBuilders_thenRefusedAsTheUriOverloadRefusesIt() {
        List<Consumer<String>> asText = List.of(u -> OllamaChatModel.builder("llama3.2").baseUrl(u),
                u -> OllamaEmbeddingModel.builder("all-minilm").baseUrl(u));
        List<Consumer<URI>> asUri = List.of(u -> OllamaChatModel.builder("llama3.2").baseUrl(u),
                u -> OllamaEmbeddingModel.builder("all-minilm").baseUrl(u));

        for (Consumer<String> setter : asText) {
            assertThatThrownBy(() -> setter.accept(FTP)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("baseUrl must be an absolute http(s) URL, was " + FTP);
        }
        for (Consumer<URI> setter : asUri) {
            assertThatThrownBy(() -> setter.accept(URI.create(FTP))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("baseUrl must be an absolute http(s) URL, was " + FTP);
        }
    }

    @Test
    void givenOllamaHostWithAnFtpUrl_whenOllamasAdaptersAreBuilt_thenRefusedNamingTheVariable() {
        Map<String, String> env = Map.of("OLLAMA_HOST", FTP);

        assertThatThrownBy(() -> OllamaChatModel.builder("llama3.2").environment(env).pricer(TestPricers.FIXED)
                .build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("OLLAMA_HOST must be an absolute http(s) URL, was " + FTP);
        assertThatThrownBy(() -> OllamaEmbeddingModel.builder("all-minilm").environment(env)
                .pricer(TestPricers.FIXED).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("OLLAMA_HOST must be an absolute http(s) URL, was " + FTP);
    }

    @Test
    void givenAUrlWithCredentials_whenRefusedFromAnySetting_thenTheMessageShowsNeitherUserInfoNorQuery() {
        List<Runnable> settings = List.of(
                () -> OllamaChatModel.builder("llama3.2").baseUrl(FTP_WITH_SECRETS),
                () -> OllamaChatModel.builder("llama3.2").baseUrl(URI.create(FTP_WITH_SECRETS)),
                () -> OllamaChatModel.builder("llama3.2").environment(Map.of("OLLAMA_HOST", FTP_WITH_SECRETS))
                        .pricer(TestPricers.FIXED).build(),
                () -> OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                        .baseUrl(FTP_WITH_SECRETS),
                () -> OpenAiCompatibleChatModel.builder(OpenAiCompatibleEndpoint.OPENAI, "gpt-4o")
                        .environment(Map.of("OPENAI_BASE_URL", FTP_WITH_SECRETS, "OPENAI_API_KEY", "sk-test"))
                        .pricer(TestPricers.FIXED).build());

        for (Runnable setting : settings) {
            assertThatThrownBy(setting::run).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be an absolute http(s) URL, was ftp://gpu-box:11434/")
                    .message().doesNotContain("s3cret").doesNotContain("admin").doesNotContain("t0ken");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpu-box", "gpu-box:11434", "http://gpu-box:11434", "https://gpu-box.example.com"})
    void givenOllamasHostForms_whenSetAsText_thenAccepted(String host) {
        assertThat(OllamaChatModel.builder("llama3.2").baseUrl(host).pricer(TestPricers.FIXED).build().baseUrl()
                .getScheme()).startsWith("http");
    }
}
