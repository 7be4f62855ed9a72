package dev.costwise.llm.alert;

/**
 * Where alerts go: a log, a chat webhook, a pager. {@link #send} is called on the thread that raised the alert (often a
 * request's), so it must return at once: sinks that do I/O queue the alert and deliver it in the background.
 */
@FunctionalInterface
public interface AlertSink {

    /**
     * Hands over one alert. Must not block and should not throw; an exception is logged and dropped by the evaluator.
     *
     * @param alert the alert
     */
    void send(Alert alert);
}
