package dev.costwise.llm.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiCompatibleEndpointTest {

    @ParameterizedTest
    @ValueSource(strings = {"ftp://localhost:8000/v1", "file:///srv/v1", "localhost:8000/v1", "/v1"})
    void givenABaseUrlThatIsNotAnAbsoluteHttpUrl_whenCustomEndpoint_thenRejectedNamingIt(String url) {
        assertThatThrownBy(() -> OpenAiCompatibleEndpoint.custom("vllm", url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("baseUrl must be an absolute http(s) URL, was " + url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:8000/v1", "https://gpu.example.com/v1/", "HTTPS://gpu.example.com/v1"})
    void givenAnHttpOrHttpsBaseUrl_whenCustomEndpoint_thenAcceptedWithoutTheTrailingSlash(String url) {
        OpenAiCompatibleEndpoint endpoint = OpenAiCompatibleEndpoint.custom("vllm", url);

        assertThat(endpoint.baseUrl()).isEqualTo(URI.create(url.replaceAll("/$", "")));
    }

    @Test
    void givenAnFtpUrl_whenAPresetIsMovedThere_thenRejected() {
        assertThatThrownBy(() -> OpenAiCompatibleEndpoint.OPENAI.withBaseUrl("ftp://proxy/v1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute http(s) URL");
    }

    @Test
    void givenOpenAiBaseUrlInTheEnvironment_whenThePresetIsUsedAsIs_thenTheEnvironmentMovesIt() {
        OpenAiCompatibleEndpoint moved = OpenAiCompatibleEndpoint.OPENAI
                .withEnvironment(Map.of("OPENAI_BASE_URL", " https://proxy.example.com/v1/ "));

        assertThat(moved.baseUrl()).isEqualTo(URI.create("https://proxy.example.com/v1"));
    }

    @Test
    void givenABaseUrlSetInCode_whenTheEnvironmentNamesAnother_thenTheOneInCodeWinsEvenIfItIsTheDefault() {
        Map<String, String> env = Map.of("OPENAI_BASE_URL", "https://proxy.example.com/v1");
        String official = OpenAiCompatibleEndpoint.OPENAI.baseUrl().toString();

        assertThat(OpenAiCompatibleEndpoint.OPENAI.withBaseUrl("http://localhost:8080/v1").withEnvironment(env)
                .baseUrl()).isEqualTo(URI.create("http://localhost:8080/v1"));
        assertThat(OpenAiCompatibleEndpoint.OPENAI.withBaseUrl(official).withEnvironment(env).baseUrl())
                .isEqualTo(URI.create(official));
    }

    @Test
    void givenOpenAiBaseUrlInTheEnvironment_whenAnotherProvider_thenItStaysPut() {
        assertThat(OpenAiCompatibleEndpoint.GROQ.withEnvironment(Map.of("OPENAI_BASE_URL", "https://proxy/v1")))
                .isEqualTo(OpenAiCompatibleEndpoint.GROQ);
    }
}
