package dev.costwise.llm.catalog;

/** What a model is for. */
public enum ModelKind {
    /** Chat completions. */
    CHAT,
    /** Text embeddings. */
    EMBEDDING
}
