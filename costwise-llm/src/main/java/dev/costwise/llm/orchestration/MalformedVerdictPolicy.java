package dev.costwise.llm.orchestration;

/** What a validation counts as when the orchestrator's verdict is not the JSON asked for. */
public enum MalformedVerdictPolicy {
    /** Count it as a pass: keep the executor's output (cheaper; trusts the executor). */
    FAIL_OPEN,
    /** Count it as a fail: escalate as on a failed validation (safer; the default). */
    FAIL_CLOSED
}
