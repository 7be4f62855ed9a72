package dev.costwise.planner.replay;

import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.chat.ChatResponse;

/** Compares the pipeline's answer to a request with the baseline model's answer. */
public interface Judge {

    /**
     * @param request the original request
     * @param baseline the baseline model's answer
     * @param candidate the pipeline's answer
     * @return the verdict on the candidate
     */
    Verdict compare(ChatRequest request, ChatResponse baseline, ChatResponse candidate);

    /** @return a line for the report saying what kind of judge this is */
    String describe();
}
