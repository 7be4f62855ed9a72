package dev.costwise.llm.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ContentPart;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.Reasoning;
import dev.costwise.llm.chat.ReasoningEffort;
import dev.costwise.llm.chat.Role;
import dev.costwise.llm.chat.Tool;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChatCacheKeyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void givenPromptsSharingTheFirst100Chars_whenKeyed_thenTheyDoNotCollide() {
        String prefix = "x".repeat(100);
        assertThat(ChatCacheKey.of(ChatRequest.of("gpt-4o", prefix + " tail one")))
                .isNotEqualTo(ChatCacheKey.of(ChatRequest.of("gpt-4o", prefix + " tail two")));
    }

    @Test
    void givenTheSamePromptWithAnotherReasoningSettingOrBlock_whenKeyed_thenKeysDiffer() {
        ChatRequest plain = ChatRequest.of("o4-mini", "prove it");
        ChatRequest low = plain.toBuilder().reasoningEffort(ReasoningEffort.LOW).build();
        ChatRequest high = plain.toBuilder().reasoningEffort(ReasoningEffort.HIGH).build();
        ChatRequest budget = plain.toBuilder().reasoning(Reasoning.budget(1024)).build();
        Message signedA = new Message(Role.ASSISTANT, List.of(new ContentPart.Thinking("t", Optional.of("A")),
                ContentPart.text("ok")), Optional.empty(), List.of(), Optional.empty());
        Message signedB = new Message(Role.ASSISTANT, List.of(new ContentPart.Thinking("t", Optional.of("B")),
                ContentPart.text("ok")), Optional.empty(), List.of(), Optional.empty());

        assertThat(List.of(plain, low, high, budget).stream().map(ChatCacheKey::of).distinct()).hasSize(4);
        assertThat(ChatCacheKey.of(plain.toBuilder().addMessage(signedA).build()))
                .isNotEqualTo(ChatCacheKey.of(plain.toBuilder().addMessage(signedB).build()));
    }

    @Test
    void givenTheSamePromptWithContextEditing_whenKeyed_thenKeysDiffer() throws Exception {
        ChatRequest plain = ChatRequest.of("claude-sonnet-4-5", "summarise the tool results");
        ChatRequest editing = plain.toBuilder().contextManagement(Optional.of(new com.fasterxml.jackson.databind
                .ObjectMapper().readTree("{\"edits\":[{\"type\":\"clear_tool_uses_20250919\"}]}"))).build();

        assertThat(ChatCacheKey.of(editing)).isNotEqualTo(ChatCacheKey.of(plain));
    }

    @Test
    void givenTheSamePromptWithAnthropicBetas_whenKeyed_thenBetasChangeTheKeyAndTheirOrderDoesNot() {
        ChatRequest plain = ChatRequest.of("claude-sonnet-4-5", "summarise the repository");
        ChatRequest ab = plain.toBuilder().anthropicBetas(List.of("a-1", "b-2")).build();
        ChatRequest ba = plain.toBuilder().anthropicBetas(List.of("b-2", "a-1")).build();

        assertThat(ChatCacheKey.of(ab)).isNotEqualTo(ChatCacheKey.of(plain)).isEqualTo(ChatCacheKey.of(ba));
    }

    @Test
    void givenSameRequestWithDifferentUserAndMetadata_whenKeyed_thenKeysMatch() {
        ChatRequest a = ChatRequest.builder("gpt-4o").addMessage(Message.user("hi")).user("alice")
                .metadata(Map.of("trace", "1")).build();
        ChatRequest b = ChatRequest.builder("gpt-4o").addMessage(Message.user("hi")).user("bob")
                .metadata(Map.of("trace", "2")).build();
        assertThat(ChatCacheKey.of(a)).isEqualTo(ChatCacheKey.of(b));
    }

    @Test
    void givenToolSchemasWithFieldsInAnotherOrder_whenKeyed_thenKeysMatch() throws Exception {
        Tool t1 = new Tool("lookup", Optional.empty(),
                JSON.readTree("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}"), false);
        Tool t2 = new Tool("lookup", Optional.empty(),
                JSON.readTree("{\"properties\":{\"a\":{\"type\":\"string\"}},\"type\":\"object\"}"), false);
        ChatRequest a = ChatRequest.builder("gpt-4o").addMessage(Message.user("hi")).tools(List.of(t1)).build();
        ChatRequest b = ChatRequest.builder("gpt-4o").addMessage(Message.user("hi")).tools(List.of(t2)).build();
        assertThat(ChatCacheKey.of(a)).isEqualTo(ChatCacheKey.of(b));
    }

    @Test
    void givenFieldsThatChangeTheAnswer_whenAnyDiffers_thenKeysDiffer() {
        ChatRequest base = ChatRequest.builder("gpt-4o").addMessage(Message.user("hi")).build();
        assertThat(List.of(
                        base.withModel("gpt-4o-mini"),
                        base.toBuilder().temperature(0.7).build(),
                        base.toBuilder().topP(0.5).build(),
                        base.toBuilder().topK(40).build(),
                        base.toBuilder().maxTokens(10).build(),
                        base.toBuilder().seed(7).build(),
                        base.toBuilder().stop(List.of("END")).build(),
                        base.toBuilder().messages(List.of(Message.system("be brief"), Message.user("hi"))).build(),
                        base.toBuilder().parallelToolCalls(Optional.of(false)).build(),
                        base.toBuilder().parallelToolCalls(Optional.of(true)).build(),
                        base.toBuilder().presencePenalty(0.5).build(),
                        base.toBuilder().frequencyPenalty(0.5).build())
                .stream().map(ChatCacheKey::of).distinct().toList())
                .hasSize(12)
                .doesNotContain(ChatCacheKey.of(base));
    }

    @Test
    void givenTwoNamespaces_whenSameRequestKeyed_thenKeysDiffer() {
        ChatRequest request = ChatRequest.of("gpt-4o", "hi");
        assertThat(ChatCacheKey.of("key-a", request)).isNotEqualTo(ChatCacheKey.of("key-b", request));
        assertThat(ChatCacheKey.of("key-a", request)).isEqualTo(ChatCacheKey.of("key-a", request));
    }

    @Test
    void givenARequest_whenCanonicalised_thenUserIsLeftOut() {
        ChatRequest request = ChatRequest.builder("gpt-4o").addMessage(Message.user("hi")).user("alice").build();
        assertThat(ChatCacheKey.canonicalJson(request)).contains("\"model\":\"gpt-4o\"").doesNotContain("alice");
    }
}
