package dev.costwise.llm.orchestration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.Message;
import dev.costwise.llm.chat.ServiceTier;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MultiModelRequestTest {

    @Test
    void givenAChatRequest_whenAnswered_thenTheTaskIsItsLastUserTextCutAt200AndTheExecutorGetsEverythingElse() {
        ChatRequest chat = ChatRequest.builder("auto").addMessage(Message.system("Be brief."))
                .addMessage(Message.user("x".repeat(250))).maxTokens(60).serviceTier(Optional.of(ServiceTier.FLEX))
                .build();

        MultiModelRequest task = MultiModelRequest.answering(chat, "y".repeat(250)).validated().build();
        MultiModelRequest shortTask = MultiModelRequest.answering(chat, "Hi").build();

        assertThat(task.taskDescription()).isEqualTo("y".repeat(MultiModelRequest.ANSWERING_DESCRIPTION_CHARS));
        assertThat(shortTask.taskDescription()).isEqualTo("Hi");
        assertThat(task.messages()).isEqualTo(chat.messages());
        assertThat(task.settings()).isEqualTo(ExecutorSettings.answering(chat));
        assertThat(task.settings().maxTokens()).contains(60);
        assertThat(task.validate()).isTrue();
        assertThat(shortTask.validate()).isFalse();
    }
}
