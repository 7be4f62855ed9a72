package dev.costwise.llm.provider.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BaseUrlsTest {

    @Test
    void givenBaseUrlsWithAndWithoutSlashes_whenResolved_thenOneSlashJoinsThem() {
        assertThat(BaseUrls.resolve("https://h/v1", "/chat/completions")).isEqualTo("https://h/v1/chat/completions");
        assertThat(BaseUrls.resolve("https://h/v1/", "/chat/completions")).isEqualTo("https://h/v1/chat/completions");
        assertThat(BaseUrls.resolve("https://h", "v1/messages")).isEqualTo("https://h/v1/messages");
        assertThat(BaseUrls.resolve("https://h/", "v1/messages")).isEqualTo("https://h/v1/messages");
    }

    @Test
    void givenABaseUrlWithAQuery_whenResolved_thenThePathGoesBeforeItAndAnEndpointsQueryFollowsIt() {
        assertThat(BaseUrls.resolve("https://h/openai/v1?api-version=2024-10-21", "/chat/completions"))
                .isEqualTo("https://h/openai/v1/chat/completions?api-version=2024-10-21");
        assertThat(BaseUrls.resolve("https://h/?x=1", "v1beta/models/g:streamGenerateContent?alt=sse"))
                .isEqualTo("https://h/v1beta/models/g:streamGenerateContent?x=1&alt=sse");
        assertThat(BaseUrls.resolve("https://h", "m:stream?alt=sse")).isEqualTo("https://h/m:stream?alt=sse");
    }
}
