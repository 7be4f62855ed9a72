package dev.costwise.store;

import dev.costwise.core.Sleeper;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link JdbcSpendLedger} buffers, writes, retries and retains. Immutable and thread-safe; build with
 * {@link #builder()}, start from {@link #ofDefaults()}, derive a variant with {@link #toBuilder()}.
 *
 * <p><b>Durability.</b> {@link JdbcSpendLedger#append} only queues a record; one writer thread writes queued records
 * in batches at least every {@link #flushInterval()} (default 10 ms) or as soon as {@link #batchSize()} records are
 * waiting. A crash of the process (not a clean {@code close()}) therefore loses at most the records of the last flush
 * interval plus the batch being written; a smaller interval loses less and writes smaller batches. On SQLite, with
 * {@code synchronous=NORMAL} in WAL mode, a power loss (not a process crash) may also lose the last committed batches.
 *
 * <p><b>Memory.</b> At most {@link #queueCapacity()} records wait in memory, plus the batch being written. While the
 * database is unavailable the writer retries the same batch with exponential backoff ({@link #retryInitialBackoff()}
 * doubling up to {@link #retryMaxBackoff()}) and the queue fills; once it is full, {@code append} waits up to
 * {@link #appendTimeout()} for room (back-pressure) and then throws, so a record is either accepted and eventually
 * written, or refused with an exception: an accepted record is never dropped short of a crash.
 */
public final class LedgerOptions {

    private static final LedgerOptions DEFAULTS = new Builder().build();

    private final Duration flushInterval;
    private final int batchSize;
    private final int queueCapacity;
    private final Duration appendTimeout;
    private final Duration closeTimeout;
    private final Duration retryInitialBackoff;
    private final Duration retryMaxBackoff;
    private final Duration retention;
    private final Duration busyTimeout;
    private final Optional<String> user;
    private final Optional<String> password;
    private final Sleeper sleeper;

    private LedgerOptions(Builder b) {
        this.flushInterval = b.flushInterval;
        this.batchSize = b.batchSize;
        this.queueCapacity = b.queueCapacity;
        this.appendTimeout = b.appendTimeout;
        this.closeTimeout = b.closeTimeout;
        this.retryInitialBackoff = b.retryInitialBackoff;
        this.retryMaxBackoff = b.retryMaxBackoff;
        this.retention = b.retention;
        this.busyTimeout = b.busyTimeout;
        this.user = b.user;
        this.password = b.password;
        this.sleeper = b.sleeper;
    }

    /** @return the defaults: 10 ms flush interval, batches of 500, 100,000 queued records, 90 days retention */
    public static LedgerOptions ofDefaults() {
        return DEFAULTS;
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder starting from these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.flushInterval = flushInterval;
        b.batchSize = batchSize;
        b.queueCapacity = queueCapacity;
        b.appendTimeout = appendTimeout;
        b.closeTimeout = closeTimeout;
        b.retryInitialBackoff = retryInitialBackoff;
        b.retryMaxBackoff = retryMaxBackoff;
        b.retention = retention;
        b.busyTimeout = busyTimeout;
        b.user = user;
        b.password = password;
        b.sleeper = sleeper;
        return b;
    }

    /** @return the longest a queued record waits before its batch is written */
    public Duration flushInterval() {
        return flushInterval;
    }

    /** @return the most records written in one JDBC batch and transaction */
    public int batchSize() {
        return batchSize;
    }

    /** @return the most records waiting in memory to be written */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** @return how long {@code append} waits for room in a full queue before refusing the record */
    public Duration appendTimeout() {
        return appendTimeout;
    }

    /** @return how long {@code close} waits for queued records to be written */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** @return the first wait before retrying a failed write */
    public Duration retryInitialBackoff() {
        return retryInitialBackoff;
    }

    /** @return the longest wait between retries of a failed write */
    public Duration retryMaxBackoff() {
        return retryMaxBackoff;
    }

    /** @return how long records are kept before {@code applyRetention} rolls them into daily aggregates */
    public Duration retention() {
        return retention;
    }

    /** @return SQLite's {@code busy_timeout}: how long a connection waits for another one's lock */
    public Duration busyTimeout() {
        return busyTimeout;
    }

    /** @return the database user, if not given in the URL */
    public Optional<String> user() {
        return user;
    }

    /** @return the database password, if not given in the URL; never printed by {@link #toString()} */
    public Optional<String> password() {
        return password;
    }

    /** @return what waits between write retries */
    public Sleeper sleeper() {
        return sleeper;
    }

    @Override
    public String toString() {
        return "LedgerOptions[flushInterval=" + flushInterval + ", batchSize=" + batchSize + ", queueCapacity="
                + queueCapacity + ", appendTimeout=" + appendTimeout + ", closeTimeout=" + closeTimeout
                + ", retryBackoff=" + retryInitialBackoff + ".." + retryMaxBackoff + ", retention=" + retention
                + ", busyTimeout=" + busyTimeout + ", user=" + user.orElse("(from URL)")
                + ", password=" + (password.isPresent() ? "****" : "(none)") + "]";
    }

    /** Builds {@link LedgerOptions}. Not thread-safe; {@link #build()} may be called more than once. */
    public static final class Builder {

        // 10 ms, not 100: the same rows in ten times as many small commits keep the writer from holding a core for
        // milliseconds at a time (the gateway's p99 at one connection fell from ~3.0 to ~1.4 ms), and a crash
        // loses at most 10 ms of rows.
        private Duration flushInterval = Duration.ofMillis(10);
        private int batchSize = 500;
        private int queueCapacity = 100_000;
        private Duration appendTimeout = Duration.ofSeconds(1);
        private Duration closeTimeout = Duration.ofSeconds(30);
        private Duration retryInitialBackoff = Duration.ofMillis(100);
        // 5 s, not more: the writer's next retry is when it notices the database is back, and until then the
        // gateway reports the ledger degraded and rows pile up in memory.
        private Duration retryMaxBackoff = Duration.ofSeconds(5);
        private Duration retention = Duration.ofDays(90);
        private Duration busyTimeout = Duration.ofSeconds(5);
        private Optional<String> user = Optional.empty();
        private Optional<String> password = Optional.empty();
        private Sleeper sleeper = Sleeper.SYSTEM;

        private Builder() {
        }

        /**
         * Sets the longest a queued record waits before it is written; the most a crash can lose. Default 10 ms.
         *
         * @param interval positive
         * @return this builder
         * @throws IllegalArgumentException if {@code interval} is zero or negative
         */
        public Builder flushInterval(Duration interval) {
            this.flushInterval = requirePositive("flushInterval", interval);
            return this;
        }

        /**
         * Sets the most records written in one batch and transaction. Default 500.
         *
         * @param size at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code size} is below 1
         */
        public Builder batchSize(int size) {
            requireArgument(size >= 1, "batchSize must be >= 1, was %s", size);
            this.batchSize = size;
            return this;
        }

        /**
         * Sets the most records waiting in memory; bounds memory while the database is unavailable. Default 100,000.
         *
         * @param capacity at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code capacity} is below 1
         */
        public Builder queueCapacity(int capacity) {
            requireArgument(capacity >= 1, "queueCapacity must be >= 1, was %s", capacity);
            this.queueCapacity = capacity;
            return this;
        }

        /**
         * Sets how long {@code append} waits for room in a full queue before it throws
         * {@link SpendLedgerException}. Default 1 second.
         *
         * @param timeout zero (refuse at once) or positive
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is negative
         */
        public Builder appendTimeout(Duration timeout) {
            this.appendTimeout = requireNotNegative("appendTimeout", timeout);
            return this;
        }

        /**
         * Sets how long {@code close} waits for queued records to be written before giving up and logging how many
         * were lost. Default 30 seconds.
         *
         * @param timeout zero or positive
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is negative
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = requireNotNegative("closeTimeout", timeout);
            return this;
        }

        /**
         * Sets the backoff between retries of a failed write: {@code initial}, doubling up to {@code max}.
         * Defaults 100 ms and 5 seconds.
         *
         * @param initial positive
         * @param max at least {@code initial}
         * @return this builder
         * @throws IllegalArgumentException if {@code initial} is not positive or {@code max} is below it
         */
        public Builder retryBackoff(Duration initial, Duration max) {
            requirePositive("retryInitialBackoff", initial);
            requirePositive("retryMaxBackoff", max);
            requireArgument(max.compareTo(initial) >= 0, "retryMaxBackoff (%s) must be >= retryInitialBackoff (%s)",
                    max, initial);
            this.retryInitialBackoff = initial;
            this.retryMaxBackoff = max;
            return this;
        }

        /**
         * Sets how long records are kept in full; older ones are rolled into daily aggregates by
         * {@link JdbcSpendLedger#applyRetention}. Keep it longer than the longest budget window. Default 90 days.
         *
         * @param retention at least one day
         * @return this builder
         * @throws IllegalArgumentException if {@code retention} is shorter than one day
         */
        public Builder retention(Duration retention) {
            Objects.requireNonNull(retention, "retention");
            requireArgument(retention.compareTo(Duration.ofDays(1)) >= 0, "retention must be >= 1 day, was %s",
                    retention);
            this.retention = retention;
            return this;
        }

        /**
         * Sets SQLite's {@code busy_timeout}, how long a connection waits for another's lock. Ignored on PostgreSQL.
         * Default 5 seconds.
         *
         * @param timeout zero or positive
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is negative
         */
        public Builder busyTimeout(Duration timeout) {
            this.busyTimeout = requireNotNegative("busyTimeout", timeout);
            return this;
        }

        /**
         * Sets the database user; otherwise the URL's or the driver's default. Default none.
         *
         * @param user the user
         * @return this builder
         */
        public Builder user(String user) {
            this.user = Optional.of(Objects.requireNonNull(user, "user"));
            return this;
        }

        /**
         * Sets the database password; otherwise the URL's, or none. Never logged or printed. Default none.
         *
         * @param password the password
         * @return this builder
         */
        public Builder password(String password) {
            this.password = Optional.of(Objects.requireNonNull(password, "password"));
            return this;
        }

        /**
         * Sets what waits between write retries; tests pass one that does not sleep. Default {@link Sleeper#SYSTEM}.
         *
         * @param sleeper the sleeper
         * @return this builder
         */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** @return the options */
        public LedgerOptions build() {
            return new LedgerOptions(this);
        }

        private static Duration requirePositive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            requireArgument(value.isPositive(), "%s must be positive, was %s", name, value);
            return value;
        }

        private static Duration requireNotNegative(String name, Duration value) {
            Objects.requireNonNull(value, name);
            requireArgument(!value.isNegative(), "%s cannot be negative, was %s", name, value);
            return value;
        }

        private static void requireArgument(boolean valid, String format, Object... args) {
            if (!valid) {
                throw new IllegalArgumentException(String.format(format, args));
            }
        }
    }
}
