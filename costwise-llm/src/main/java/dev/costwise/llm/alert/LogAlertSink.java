package dev.costwise.llm.alert;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes alerts to the {@code dev.costwise.alerts} slf4j logger: info and warning as WARN, error and critical as ERROR. */
public final class LogAlertSink implements AlertSink {

    private final Logger log;

    /** A sink on the {@code dev.costwise.alerts} logger. */
    public LogAlertSink() {
        this(LoggerFactory.getLogger("dev.costwise.alerts"));
    }

    /** @param log the logger to write to */
    public LogAlertSink(Logger log) {
        this.log = java.util.Objects.requireNonNull(log, "log");
    }

    @Override
    public void send(Alert alert) {
        switch (alert.severity()) {
            case INFO, WARNING -> log.warn("ALERT [{}] {}: {}", alert.severity().wireName(), alert.rule(),
                    alert.message());
            case ERROR, CRITICAL -> log.error("ALERT [{}] {}: {}", alert.severity().wireName(), alert.rule(),
                    alert.message());
        }
    }
}
