package dev.costwise.llm.orchestration;

/** What kind of work a task asks for. */
public enum TaskType {
    /** Shorten a given text. */
    SUMMARIZATION,
    /** Pull structured fields or entities out of a given text. */
    EXTRACTION,
    /** Put an input into one of given categories (sentiment, spam, intent, topic). */
    CLASSIFICATION,
    /** Write, fix, explain or review code. */
    CODE,
    /** Calculate, solve or prove something mathematical. */
    MATH,
    /** Weigh options, analyse trade-offs, solve a puzzle, reach a justified conclusion. */
    REASONING,
    /** Stories, poems, slogans, essays, scripts. */
    CREATIVE_WRITING,
    /** Turn text from one human language into another. */
    TRANSLATION,
    /** Small talk, thanks, venting, role-play. */
    CHAT,
    /** Answer a factual or explanatory question. */
    QUESTION_ANSWERING
}
