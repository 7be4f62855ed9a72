package dev.costwise.redis;

import dev.costwise.core.Sleeper;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How to reach Redis and how to behave when it cannot be reached. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * RedisOptions options = RedisOptions.builder()
 *     .url("redis://redis.internal:6379/0")
 *     .localShare(0.25)                      // four replicas: each may spend a quarter of a limit while Redis is down
 *     .listener(RedisHealthListener.alerting(alertSink, Clock.systemUTC()))
 *     .build();
 * }</pre>
 *
 * @param uri {@code redis://[user:password@]host:port[/db]}
 * @param keyPrefix prefix of every key written, such as {@code costwise} or {@code app:costwise}; keys are
 *     {@code <keyPrefix>:<kind>:…}, so it never ends with {@code :} (see {@link Builder#keyPrefix})
 * @param connectTimeout how long opening a connection may take
 * @param socketTimeout how long one command may take
 * @param poolSize the most connections open at once
 * @param poolWait how long a caller waits for a free pooled connection
 * @param localShare the share of each budget and rate limit one replica may use on its own while Redis is down
 * @param bucketRetention how long after its window starts a budget bucket's counters are kept
 * @param reservationLease how long a budget reservation may stay unsettled before any replica may give it back
 * @param probeInitialBackoff the first wait between health probes once Redis is down
 * @param probeMaxBackoff the longest wait between health probes
 * @param listener told when Redis becomes unreachable and when it is back
 * @param clock wall time for budget expiry and rate-limit windows
 * @param sleeper waits between probes and cache polls
 */
public record RedisOptions(URI uri, String keyPrefix, Duration connectTimeout, Duration socketTimeout, int poolSize,
        Duration poolWait, double localShare, Duration bucketRetention, Duration reservationLease,
        Duration probeInitialBackoff,
        Duration probeMaxBackoff, RedisHealthListener listener, Clock clock, Sleeper sleeper) {

    /** The URL used when none is given. */
    public static final String DEFAULT_URL = "redis://127.0.0.1:6379";

    public RedisOptions {
        Objects.requireNonNull(uri, "uri");
        keyPrefix = checkedKeyPrefix(keyPrefix);
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(socketTimeout, "socketTimeout");
        Objects.requireNonNull(poolWait, "poolWait");
        Objects.requireNonNull(bucketRetention, "bucketRetention");
        Objects.requireNonNull(reservationLease, "reservationLease");
        Objects.requireNonNull(probeInitialBackoff, "probeInitialBackoff");
        Objects.requireNonNull(probeMaxBackoff, "probeMaxBackoff");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sleeper, "sleeper");
        if (probeMaxBackoff.compareTo(probeInitialBackoff) < 0) {
            throw new IllegalArgumentException("probeMaxBackoff (" + probeMaxBackoff
                    + ") cannot be shorter than probeInitialBackoff (" + probeInitialBackoff + ")");
        }
    }

    /**
     * Checks a key prefix and drops one trailing {@code :}, since every key already puts one after the prefix.
     *
     * @return the prefix keys start with
     */
    private static String checkedKeyPrefix(String value) {
        Objects.requireNonNull(value, "keyPrefix");
        if (!value.matches("[A-Za-z0-9_.:-]+")) {
            throw new IllegalArgumentException("keyPrefix must be letters, digits, '-', '_', '.' or ':', was '"
                    + value + "'");
        }
        String prefix = value.endsWith(":") ? value.substring(0, value.length() - 1) : value;
        if (prefix.isEmpty() || prefix.endsWith(":")) {
            throw new IllegalArgumentException("keyPrefix must hold more than ':' and end with at most one ':', was '"
                    + value + "'");
        }
        return prefix;
    }

    /** @return a builder with the defaults listed on each setter */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults: local Redis on port 6379 */
    public static RedisOptions ofDefaults() {
        return builder().build();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.uri = uri;
        b.keyPrefix = keyPrefix;
        b.connectTimeout = connectTimeout;
        b.socketTimeout = socketTimeout;
        b.poolSize = poolSize;
        b.poolWait = poolWait;
        b.localShare = localShare;
        b.bucketRetention = bucketRetention;
        b.reservationLease = reservationLease;
        b.probeInitialBackoff = probeInitialBackoff;
        b.probeMaxBackoff = probeMaxBackoff;
        b.listener = listener;
        b.clock = clock;
        b.sleeper = sleeper;
        return b;
    }

    /** The URI with any password masked, for logs and errors. */
    String safeUri() {
        return uri.getUserInfo() == null ? uri.toString() : uri.toString().replace(uri.getRawUserInfo() + "@", "***@");
    }

    @Override
    public String toString() {
        return "RedisOptions[uri=" + safeUri() + ", keyPrefix=" + keyPrefix + ", localShare=" + localShare + "]";
    }

    /** Builds {@link RedisOptions}. Not thread-safe. */
    public static final class Builder {
        private URI uri = URI.create(DEFAULT_URL);
        private String keyPrefix = "costwise";
        private Duration connectTimeout = Duration.ofMillis(200);
        private Duration socketTimeout = Duration.ofMillis(200);
        private int poolSize = 32;
        private Duration poolWait = Duration.ofSeconds(2);
        private double localShare = 0.5;
        private Duration bucketRetention = Duration.ofDays(40);
        private Duration reservationLease = Duration.ofMinutes(15);
        private Duration probeInitialBackoff = Duration.ofMillis(50);
        private Duration probeMaxBackoff = Duration.ofSeconds(2);
        private RedisHealthListener listener = RedisHealthListener.NONE;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;

        private Builder() {}

        /**
         * Where Redis is. Default {@value RedisOptions#DEFAULT_URL}.
         *
         * @param value {@code redis://[user:password@]host:port[/db]} (or {@code rediss://} for TLS)
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is not a redis URL with a host
         */
        public Builder url(String value) {
            Objects.requireNonNull(value, "url");
            URI parsed;
            try {
                parsed = URI.create(value.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("redis url is not a valid URI: " + masked(value), e);
            }
            String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("redis") && !scheme.equals("rediss")) {
                throw new IllegalArgumentException("redis url must start with redis:// or rediss://, was "
                        + masked(value));
            }
            if (parsed.getHost() == null) {
                throw new IllegalArgumentException("redis url has no host: " + masked(value));
            }
            this.uri = parsed;
            return this;
        }

        /**
         * The prefix of every key. Default {@code costwise}. Replicas that share state must use the same prefix.
         *
         * <p>Keys are {@code <prefix>:<kind>:…}, such as {@code costwise:budget:daily:1764201600000}. A trailing
         * {@code :}, as Redis prefixes are often written, is dropped rather than doubled: {@code costwise:} and
         * {@code costwise} name the same keys, and {@link RedisOptions#keyPrefix()} gives {@code costwise}.
         *
         * @param value letters, digits, {@code -}, {@code _}, {@code .} or {@code :}, such as {@code app:costwise}
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is empty, holds other characters, is only {@code :} or
         *     ends with {@code ::}
         */
        public Builder keyPrefix(String value) {
            this.keyPrefix = checkedKeyPrefix(value);
            return this;
        }

        /** @param value connect timeout, positive; default 200 ms; @return this builder */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive("connectTimeout", value);
            return this;
        }

        /** @param value per-command timeout, positive; default 200 ms; @return this builder */
        public Builder socketTimeout(Duration value) {
            this.socketTimeout = positive("socketTimeout", value);
            return this;
        }

        /**
         * The most pooled connections. Default 32.
         *
         * @param value at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is below 1
         */
        public Builder poolSize(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("poolSize must be >= 1, was " + value);
            }
            this.poolSize = value;
            return this;
        }

        /** @param value how long to wait for a free connection, positive; default 2 s; @return this builder */
        public Builder poolWait(Duration value) {
            this.poolWait = positive("poolWait", value);
            return this;
        }

        /**
         * The share of each limit one replica may use alone while Redis is down. Default 0.5 (two replicas). Set it
         * to {@code 1 / replicas} so the replicas together stay within the limit during an outage.
         *
         * @param value a ratio in (0, 1]
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is outside (0, 1]
         */
        public Builder localShare(double value) {
            if (!(value > 0.0 && value <= 1.0)) {
                throw new IllegalArgumentException("localShare must be in (0, 1], was " + value);
            }
            this.localShare = value;
            return this;
        }

        /**
         * How long after a window starts its budget counters stay in Redis. Default 40 days, longer than a monthly
         * window; must exceed the longest budget window.
         *
         * @param value positive
         * @return this builder
         */
        public Builder bucketRetention(Duration value) {
            this.bucketRetention = positive("bucketRetention", value);
            return this;
        }

        /**
         * How long a budget reservation may stay unsettled before it counts as abandoned: the next reservation in
         * any of its buckets, by any replica, gives it back. This is what frees the reservations of a replica that
         * died mid-call. Default 15 minutes; make it longer than the longest call (the gateway uses its request
         * timeout plus a minute when that is longer). A call that outlives its lease is still settled and counted,
         * but for the rest of it other calls may use the room it had reserved.
         *
         * @param value positive
         * @return this builder
         */
        public Builder reservationLease(Duration value) {
            this.reservationLease = positive("reservationLease", value);
            return this;
        }

        /** @param value first wait between probes once down, positive; default 50 ms; @return this builder */
        public Builder probeInitialBackoff(Duration value) {
            this.probeInitialBackoff = positive("probeInitialBackoff", value);
            return this;
        }

        /** @param value longest wait between probes, positive; default 2 s; @return this builder */
        public Builder probeMaxBackoff(Duration value) {
            this.probeMaxBackoff = positive("probeMaxBackoff", value);
            return this;
        }

        /**
         * Who hears of outages and recoveries. Default {@link RedisHealthListener#NONE}; use
         * {@link RedisHealthListener#alerting} to raise alerts.
         *
         * @param value the listener
         * @return this builder
         */
        public Builder listener(RedisHealthListener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /** @param value wall time; default {@link Clock#systemUTC()}; @return this builder */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** @param value waits between probes and polls; default {@link Sleeper#SYSTEM}; @return this builder */
        public Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException if {@code probeMaxBackoff} is shorter than {@code probeInitialBackoff}
         */
        public RedisOptions build() {
            return new RedisOptions(uri, keyPrefix, connectTimeout, socketTimeout, poolSize, poolWait, localShare,
                    bucketRetention, reservationLease, probeInitialBackoff, probeMaxBackoff, listener, clock, sleeper);
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }

        private static String masked(String url) {
            return url.replaceAll("//[^@/]*@", "//***@");
        }
    }
}
