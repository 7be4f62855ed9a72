package dev.costwise.llm.budget;

import dev.costwise.core.Money;
import dev.costwise.llm.spi.BudgetStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link BudgetStore} in this JVM's memory: one lock per bucket, taken in a fixed order, so a reservation over
 * several buckets is all-or-nothing and concurrent reservations never deadlock.
 *
 * <p>When a budget's new window is first used, the counters of its earlier windows are dropped once no reservation
 * is outstanding in them, so memory stays flat however long the process runs. Thread-safe. Counters vanish with the
 * process; {@link Budgets#rebuildFrom} restores them from the ledger.
 */
public final class InMemoryBudgetStore implements BudgetStore {

    private static final Comparator<Bucket> ORDER =
            Comparator.comparing(Bucket::budget).thenComparing(Bucket::windowStart);

    private final ConcurrentMap<Bucket, Counter> counters = new ConcurrentHashMap<>();

    @Override
    public Optional<Grant> reserve(List<Claim> claims, Money minimum, Money maximum) {
        Objects.requireNonNull(claims, "claims");
        Objects.requireNonNull(minimum, "minimum");
        Objects.requireNonNull(maximum, "maximum");
        if (minimum.isNegative()) {
            throw new IllegalArgumentException("minimum cannot be negative, was " + minimum);
        }
        if (minimum.isGreaterThan(maximum)) {
            throw new IllegalArgumentException("minimum (" + minimum + ") cannot exceed maximum (" + maximum + ")");
        }
        if (claims.isEmpty()) {
            throw new IllegalArgumentException("claims cannot be empty");
        }
        List<Claim> ordered = new ArrayList<>(claims);
        ordered.sort(Comparator.comparing(Claim::bucket, ORDER));
        List<Counter> locked = lockAll(ordered.stream().map(Claim::bucket).toList());
        try {
            Money amount = maximum;
            for (int i = 0; i < ordered.size(); i++) {
                Counter c = locked.get(i);
                Money room = ordered.get(i).limit().minus(c.spent).minus(c.reserved);
                amount = amount.min(room);
            }
            if (amount.compareTo(minimum) < 0) {
                return Optional.empty();
            }
            for (Counter c : locked) {
                c.reserved = c.reserved.plus(amount);
            }
            return Optional.of(new Grant(claims.stream().map(Claim::bucket).toList(), amount, this));
        } finally {
            unlockAll(locked);
        }
    }

    @Override
    public void settle(Grant grant, Money actual) {
        Objects.requireNonNull(actual, "actual");
        requireOwn(grant);
        List<Counter> locked = lockAll(sorted(grant.buckets()));
        try {
            for (Counter c : locked) {
                c.reserved = c.reserved.minus(grant.amount());
                c.spent = c.spent.plus(actual);
            }
        } finally {
            unlockAll(locked);
        }
    }

    @Override
    public Grant release(Grant grant, Money amount) {
        Objects.requireNonNull(amount, "amount");
        requireOwn(grant);
        Grant left = grant.less(amount);
        List<Counter> locked = lockAll(sorted(grant.buckets()));
        try {
            for (Counter c : locked) {
                c.reserved = c.reserved.minus(amount);
            }
        } finally {
            unlockAll(locked);
        }
        return left;
    }

    private void requireOwn(Grant grant) {
        if (Objects.requireNonNull(grant, "grant").holder() != this) {
            throw grant.madeElsewhere();
        }
    }

    @Override
    public BucketState state(Bucket bucket) {
        Counter c = counters.get(Objects.requireNonNull(bucket, "bucket"));
        if (c == null) {
            return BucketState.EMPTY;
        }
        c.lock.lock();
        try {
            return new BucketState(c.spent, c.reserved);
        } finally {
            c.lock.unlock();
        }
    }

    @Override
    public void restore(Bucket bucket, Money spent) {
        Objects.requireNonNull(spent, "spent");
        Counter c = lockLive(Objects.requireNonNull(bucket, "bucket"));
        try {
            c.spent = spent;
        } finally {
            c.lock.unlock();
        }
    }

    private static List<Bucket> sorted(List<Bucket> buckets) {
        List<Bucket> ordered = new ArrayList<>(Objects.requireNonNull(buckets, "buckets"));
        ordered.sort(ORDER);
        return ordered;
    }

    private Counter counter(Bucket bucket) {
        Counter existing = counters.get(bucket);
        if (existing != null) {
            return existing;
        }
        Counter created = counters.computeIfAbsent(bucket, b -> new Counter());
        forgetOlderWindows(bucket);
        return created;
    }

    /** Locks the bucket's counter, retrying if it was dropped between the lookup and the lock. */
    private Counter lockLive(Bucket bucket) {
        while (true) {
            Counter c = counter(bucket);
            c.lock.lock();
            if (counters.get(bucket) == c) {
                return c;
            }
            c.lock.unlock();
        }
    }

    /** Drops the counters of a budget's earlier windows that no running call still holds a reservation in. */
    private void forgetOlderWindows(Bucket current) {
        for (Map.Entry<Bucket, Counter> e : counters.entrySet()) {
            Bucket b = e.getKey();
            if (b.budget().equals(current.budget()) && b.windowStart().isBefore(current.windowStart())) {
                Counter c = e.getValue();
                if (c.lock.tryLock()) {
                    try {
                        if (!c.reserved.isPositive()) {
                            counters.remove(b, c);
                        }
                    } finally {
                        c.lock.unlock();
                    }
                }
            }
        }
    }

    private List<Counter> lockAll(List<Bucket> ordered) {
        List<Counter> locked = new ArrayList<>(ordered.size());
        for (Bucket b : ordered) {
            locked.add(lockLive(b));
        }
        return locked;
    }

    private static void unlockAll(List<Counter> locked) {
        for (int i = locked.size() - 1; i >= 0; i--) {
            locked.get(i).lock.unlock();
        }
    }

    /** One bucket's counters, guarded by its lock. */
    private static final class Counter {
        final ReentrantLock lock = new ReentrantLock();
        Money spent = Money.ZERO;
        Money reserved = Money.ZERO;
    }
}
