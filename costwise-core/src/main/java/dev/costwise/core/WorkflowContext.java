package dev.costwise.core;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The state of one request as it moves through primitives: who it is for, by when it must finish, and an ordered
 * record of what each primitive did.
 *
 * <p>A context is thread-safe. Parallel branches each get a {@linkplain #fork(String) fork}, which shares the ids,
 * tags, deadline and metadata, and keeps its own record; {@link #merge(WorkflowContext)} appends a branch's records to
 * its parent so nothing a branch did is lost. A layer that must tell its own call's records from those of other calls
 * running at the same time on one context (a budget settling a call to what it cost) runs the call on a
 * {@linkplain #scope() scope}, whose records land in this context at once.
 *
 * <pre>{@code
 * WorkflowContext ctx = WorkflowContext.builder("support-bot")
 *     .tag(WorkflowContext.TAG_USER, "u-42").tag(WorkflowContext.TAG_TEAM, "support")
 *     .timeout(Duration.ofSeconds(30))
 *     .build();
 * }</pre>
 */
public final class WorkflowContext {

    /** Tag naming the end user a request is made for. */
    public static final String TAG_USER = "user";
    /** Tag naming the team that owns the calling feature. */
    public static final String TAG_TEAM = "team";
    /** Tag naming the product feature making the call. */
    public static final String TAG_FEATURE = "feature";

    private final String workflowId;
    private final String correlationId;
    private final Map<String, String> tags;
    private final ConcurrentMap<String, Object> metadata;
    private final Clock clock;
    private final Ticker ticker;
    private final List<StepRecord> records = new ArrayList<>();
    private final String branchName;
    /** For a {@linkplain #scope() scope}: the context its records are appended to as well; else null. */
    private final WorkflowContext parent;
    /** For a scope: how many of the parent's records it sees, those made before it. */
    private final int inherited;
    private volatile Deadline deadline;

    private WorkflowContext(String workflowId, String correlationId, Map<String, String> tags,
            ConcurrentMap<String, Object> metadata, Clock clock, Ticker ticker, Deadline deadline, String branchName,
            WorkflowContext parent, int inherited) {
        this.branchName = branchName;
        this.parent = parent;
        this.inherited = inherited;
        this.workflowId = workflowId;
        this.correlationId = correlationId;
        this.tags = Map.copyOf(tags);
        this.metadata = metadata;
        this.clock = clock;
        this.ticker = ticker;
        this.deadline = deadline;
    }

    /**
     * A context with a random correlation id, no tags and no deadline.
     *
     * @param workflowId names the workflow (for example {@code "cost-optimized-workflow"})
     * @return a new context
     */
    public static WorkflowContext of(String workflowId) {
        return builder(workflowId).build();
    }

    /**
     * Starts building a context.
     *
     * @param workflowId names the workflow
     * @return a builder
     * @throws IllegalArgumentException if {@code workflowId} is blank
     */
    public static Builder builder(String workflowId) {
        return new Builder(workflowId);
    }

    /** @return the workflow's name */
    public String workflowId() {
        return workflowId;
    }

    /** @return the id that ties every record, log line and ledger row of this request together */
    public String correlationId() {
        return correlationId;
    }

    /** @return the caller's tags (user, team, feature and any others); immutable */
    public Map<String, String> tags() {
        return tags;
    }

    /**
     * One tag.
     *
     * @param name the tag name, such as {@link #TAG_USER}
     * @return its value, if set
     */
    public Optional<String> tag(String name) {
        return Optional.ofNullable(tags.get(name));
    }

    /** @return thread-safe metadata shared by every primitive (and every parallel branch) of this request */
    public ConcurrentMap<String, Object> metadata() {
        return metadata;
    }

    /** @return the wall clock records are stamped with (and budgets read their windows on) */
    public Clock clock() {
        return clock;
    }

    /** @return the nanosecond time source deadlines are read on */
    public Ticker ticker() {
        return ticker;
    }

    /** @return the deadline, if the request has one */
    public Optional<Deadline> deadline() {
        return Optional.ofNullable(deadline);
    }

    /** @return the time left before the deadline, or empty when there is none */
    public Optional<Duration> remaining() {
        Deadline d = deadline;
        return d == null ? Optional.empty() : Optional.of(d.remaining());
    }

    /**
     * Narrows the deadline to at most {@code timeout} from now; a later deadline never replaces an earlier one.
     *
     * @param timeout the bound
     * @return the deadline now in force
     */
    public synchronized Deadline narrowDeadline(Duration timeout) {
        Deadline current = deadline;
        Deadline next = current == null ? Deadline.after(timeout, ticker) : current.narrowTo(timeout);
        deadline = next;
        return next;
    }

    /**
     * Runs {@code body} with the deadline narrowed to {@code timeout}, then restores the previous deadline. Only for a
     * context one call uses at a time: calls running at the same time would see each other's deadlines, and their
     * restores interleave. To bound one call among others, narrow a {@linkplain #scope() scope}'s deadline and run the
     * call on it: {@code WorkflowContext call = ctx.scope(); call.narrowDeadline(timeout);}.
     *
     * @param timeout the bound for the body
     * @param body what runs under the narrower deadline
     * @param <T> the body's result
     * @return what the body returned
     */
    public <T> T withNarrowedDeadline(Duration timeout, java.util.function.Supplier<T> body) {
        Deadline previous;
        synchronized (this) {
            previous = deadline;
            deadline = previous == null ? Deadline.after(timeout, ticker) : previous.narrowTo(timeout);
        }
        try {
            return body.get();
        } finally {
            synchronized (this) {
                deadline = previous;
            }
        }
    }

    /**
     * Appends a record of what a primitive did.
     *
     * @param primitive the primitive's name
     * @param event a short, stable word for what happened
     * @param attributes details
     * @return the record appended
     */
    public StepRecord record(String primitive, String event, Map<String, ?> attributes) {
        StepRecord r = new StepRecord(clock.instant(), primitive, event, "", new LinkedHashMap<>(attributes));
        append(List.of(r));
        return r;
    }

    /** Adds {@code added} to this context's records and, for a scope, to its parent's (and theirs), at once. */
    private void append(List<StepRecord> added) {
        synchronized (records) {
            records.addAll(added);
        }
        if (parent != null) {
            parent.append(added);
        }
    }

    /**
     * Appends a record with no details.
     *
     * @param primitive the primitive's name
     * @param event what happened
     * @return the record appended
     */
    public StepRecord record(String primitive, String event) {
        return record(primitive, event, Map.of());
    }

    /**
     * The records so far, in the order they were made. For a {@linkplain #scope() scope}: its parent's records made
     * before the scope was, then its own.
     *
     * @return a snapshot
     */
    public List<StepRecord> records() {
        return List.copyOf(firstRecords(Integer.MAX_VALUE));
    }

    /** How many records {@link #records()} would return, without copying them: a scope is made on every call. */
    private int recordCount() {
        int inheritedSeen = parent == null ? 0 : Math.min(inherited, parent.recordCount());
        synchronized (records) {
            return inheritedSeen + records.size();
        }
    }

    /** The first {@code limit} records this context sees; a parent's list only grows, so its first ones are fixed. */
    private List<StepRecord> firstRecords(int limit) {
        List<StepRecord> out = parent == null ? new ArrayList<>()
                : parent.firstRecords(Math.min(limit, inherited));
        synchronized (records) {
            out.addAll(records.subList(0, Math.min(records.size(), limit - out.size())));
        }
        return out;
    }

    /**
     * The records with the given event name.
     *
     * @param event the event, such as {@code "route"}
     * @return the matching records, in order
     */
    public List<StepRecord> records(String event) {
        return records().stream().filter(r -> r.event().equals(event)).toList();
    }

    /**
     * The records with the given event name made on this context itself: for a {@linkplain #scope() scope}, those made
     * in it (and in scopes of it), without the parent's records it inherits; for any other context, all of them. What
     * one call on a scope recorded, without copying the history of a long-lived context.
     *
     * @param event the event, such as {@code "cost"}
     * @return the matching records, in order
     */
    public List<StepRecord> ownRecords(String event) {
        synchronized (records) {
            return records.stream().filter(r -> r.event().equals(event)).toList();
        }
    }

    /**
     * Every attribute value stored under {@code key} with the given type, across all records, in order. This is how a
     * higher layer collects typed payloads (for example every cost record of a request).
     *
     * @param key the attribute name
     * @param type the value type
     * @param <T> the type
     * @return the values
     */
    public <T> List<T> attributeValues(String key, Class<T> type) {
        return records().stream().flatMap(r -> r.attribute(key, type).stream()).toList();
    }

    /**
     * A child context for a parallel branch: same ids, tags, deadline, clock and metadata; its own records.
     *
     * @param branch the branch name, kept on the records when they are merged back
     * @return the child
     */
    public WorkflowContext fork(String branch) {
        Objects.requireNonNull(branch, "branch");
        return new WorkflowContext(workflowId, correlationId, tags, metadata, clock, ticker, deadline, branch, null, 0);
    }

    /**
     * A child context for one call among others that run at the same time on this context: same ids, tags, clock,
     * metadata and deadline (narrowing the scope's deadline leaves this one's alone). Every record made in the scope
     * is appended to this context too, at once, so a scope is never {@linkplain #merge(WorkflowContext) merged}. The
     * scope's own {@link #records()} are this context's records made before the scope, then the scope's: what a call
     * would see on a context of its own, without the records of calls running beside it.
     *
     * <pre>{@code
     * WorkflowContext call = ctx.scope();
     * int before = call.records().size();
     * model.execute(request, call);                   // its records land in ctx as well
     * List<StepRecord> all = call.records();
     * List<StepRecord> own = all.subList(before, all.size());   // this call's, none of its neighbours'
     * }</pre>
     *
     * @return the scope
     */
    public WorkflowContext scope() {
        int seen = recordCount();
        return new WorkflowContext(workflowId, correlationId, tags, metadata, clock, ticker, deadline, "", this,
                seen);
    }

    /**
     * Appends every record of a forked child to this context, marked with the child's branch name.
     *
     * @param child a context made by {@link #fork(String)}
     * @throws IllegalArgumentException if {@code child} is a {@linkplain #scope() scope}, whose records are in its
     *     parent already
     */
    public void merge(WorkflowContext child) {
        if (Objects.requireNonNull(child, "child").parent != null) {
            throw new IllegalArgumentException("cannot merge a scope: its records are in its parent already");
        }
        String name = child.branchName;
        append(child.records().stream().map(r -> name.isEmpty() ? r : r.inBranch(name)).toList());
    }

    @Override
    public String toString() {
        return "WorkflowContext[" + workflowId + ", correlationId=" + correlationId + ", tags=" + tags + "]";
    }

    /** Builds a {@link WorkflowContext}. Not thread-safe. */
    public static final class Builder {
        private final String workflowId;
        private String correlationId;
        private final Map<String, String> tags = new LinkedHashMap<>();
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.systemTicker();
        private Duration timeout;

        private Builder(String workflowId) {
            Objects.requireNonNull(workflowId, "workflowId");
            if (workflowId.isBlank()) {
                throw new IllegalArgumentException("workflowId cannot be blank");
            }
            this.workflowId = workflowId;
        }

        /**
         * Sets the correlation id. Default: a random UUID.
         *
         * @param id the id
         * @return this builder
         */
        public Builder correlationId(String id) {
            this.correlationId = Objects.requireNonNull(id, "correlationId");
            return this;
        }

        /**
         * Adds a caller tag.
         *
         * @param name the tag, such as {@link #TAG_USER}
         * @param value its value
         * @return this builder
         */
        public Builder tag(String name, String value) {
            tags.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Adds caller tags.
         *
         * @param values tags to add
         * @return this builder
         */
        public Builder tags(Map<String, String> values) {
            values.forEach(this::tag);
            return this;
        }

        /**
         * Sets the wall clock. Default: {@link Clock#systemUTC()}.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets the nanosecond time source for deadlines. Default: {@link Ticker#systemTicker()}.
         *
         * @param ticker the ticker
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Gives the request a deadline {@code timeout} after {@link #build()}. Default: none.
         *
         * @param timeout time allowed for the whole request
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** @return a new context */
        public WorkflowContext build() {
            String id = correlationId != null ? correlationId : UUID.randomUUID().toString();
            Deadline d = timeout == null ? null : Deadline.after(timeout, ticker);
            return new WorkflowContext(workflowId, id, tags, new ConcurrentHashMap<>(), clock, ticker, d, "", null,
                    0);
        }
    }
}
