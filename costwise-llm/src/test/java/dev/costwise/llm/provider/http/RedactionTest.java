package dev.costwise.llm.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void givenCallWithCredentialHeaders_whenPrinted_thenValuesRedacted() {
        HttpCall call = HttpCall.postJson(URI.create("https://api.example.com/v1/chat/completions"),
                Map.of("Authorization", "Bearer sk-live-abcdef123456", "x-api-key", "sk-ant-xyz987654321",
                        "X-Title", "demo"), "{\"prompt\":\"secret plans\"}".getBytes());

        assertThat(call.toString())
                .doesNotContain("sk-live-abcdef123456").doesNotContain("sk-ant-xyz987654321")
                .doesNotContain("secret plans")
                .contains("X-Title=demo").contains("<redacted>").contains("25 bytes");
    }

    @Test
    void givenAUrlWithUserInfoAndQuery_whenShown_thenBothAreGoneAndTheRestStays() {
        HttpCall call = HttpCall.postJson(URI.create("https://user:pa55@api.example.com:8443/v1/chat?api-key=k1#f"),
                Map.of(), new byte[0]);

        assertThat(call.toString()).contains("POST https://api.example.com:8443/v1/chat,").doesNotContain("pa55", "k1");
        assertThat(SafeUrls.withoutSecrets("http://127.0.0.1:18101/v1")).isEqualTo("http://127.0.0.1:18101/v1");
        assertThat(SafeUrls.withoutSecrets("http://a@b@host/p?x=1")).isEqualTo("http://host/p");
        assertThat(SafeUrls.withoutSecrets("proxyuser:pa55@proxy:8080/v1")).as("a URL missing its scheme")
                .isEqualTo("proxy:8080/v1");
        assertThat(SafeUrls.withoutSecrets("proxy:8080/v1/me@example")).isEqualTo("proxy:8080/v1/me@example");
    }

    @Test
    void givenKeyShapedTexts_whenRedacted_thenReplaced() {
        assertThat(SecretRedactor.redact("key sk-proj-AbC123dEf456 and gsk_abcdef123456 and hf_abcdefghijk "
                + "and AIzaSyA1234567890abcdefghijklmnop and Bearer abc.def-123456"))
                .isEqualTo("key [redacted] and [redacted] and [redacted] and [redacted] and [redacted]");
    }

    @Test
    void givenKeyPrefixesInsideWords_whenRedacted_thenTheWordsStay() {
        assertThat(SecretRedactor.redact("model task-runner-v2 at desk-123456, whisk_abcdefgh"))
                .isEqualTo("model task-runner-v2 at desk-123456, whisk_abcdefgh");
    }

    @Test
    void givenAKeyOfNoKnownFormat_whenRedactedWithIt_thenEveryCopyIsRemoved() {
        assertThat(SecretRedactor.redact("bad key tok_123 (tok_123)", Optional.of("tok_123")))
                .isEqualTo("bad key [redacted] ([redacted])");
        assertThat(ApiKey.of("tok_123").redactFrom("bad key tok_123 and sk-proj-AbC123dEf456"))
                .isEqualTo("bad key [redacted] and [redacted]");
    }

    @Test
    void givenBlankKey_whenWrapped_thenRejectedWithoutEchoingIt() {
        assertThatThrownBy(() -> ApiKey.of("   ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an API key cannot be blank");
    }

    @Test
    void givenEnvironment_whenKeyRead_thenFirstNonBlankWins() {
        assertThat(ApiKey.fromEnvironment(Map.of("A", " ", "B", "k-2"), "A", "B")).contains(ApiKey.of("k-2"));
        assertThat(ApiKey.fromEnvironment(Map.of(), "A")).isEmpty();
    }
}
