package dev.costwise.llm.orchestration;

/** How the orchestrator's validation of a workflow's returned answer went. */
public enum Validation {
    /** The verdict said the answer passes. */
    PASSED,
    /** The verdict said it fails, and no escalation was left: the answer is returned anyway. */
    FAILED,
    /**
     * The verdict could not be read (no JSON object with a boolean {@code pass}, or the validator's call failed);
     * the {@link MalformedVerdictPolicy} decided what it counted as.
     */
    UNREADABLE
}
