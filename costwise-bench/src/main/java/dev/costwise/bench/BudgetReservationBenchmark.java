package dev.costwise.bench;

import dev.costwise.core.Money;
import dev.costwise.core.WorkflowContext;
import dev.costwise.llm.budget.Budget;
import dev.costwise.llm.budget.BudgetGuard;
import dev.costwise.llm.budget.BudgetScope;
import dev.costwise.llm.budget.Budgets;
import dev.costwise.llm.catalog.ModelCatalog;
import dev.costwise.llm.catalog.ModelCatalogs;
import dev.costwise.llm.chat.ChatRequest;
import dev.costwise.llm.cost.JtokkitTokenEstimator;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a hard budget adds to a call: reserve the worst case (token estimate plus max output at the model's prices) in
 * every applicable budget, then settle to the real cost. Two budgets apply (a global daily one and a team one), as in a
 * gateway with a global cap and per-team caps. The limits are high enough never to refuse during a run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class BudgetReservationBenchmark {

    private BudgetGuard guard;
    private ChatRequest request;
    private WorkflowContext context;
    private final Money actual = Money.of("0.000100");

    @Setup
    public void setUp() {
        ModelCatalog catalog = ModelCatalogs.bundled();
        Budgets budgets = Budgets.builder()
                .add(Budget.daily("global", Money.ofDollars(1_000_000_000L), ZoneId.of("UTC")))
                .add(Budget.builder("team-support").scope(BudgetScope.team("support"))
                        .limit(Money.ofDollars(1_000_000_000L)).build())
                .build();
        guard = BudgetGuard.builder(budgets, catalog, JtokkitTokenEstimator.of(catalog)).build();
        request = ChatRequest.builder("gpt-4o-mini")
                .addMessage(dev.costwise.llm.chat.Message.user("Summarise this support ticket in two sentences."))
                .maxTokens(256).build();
        context = WorkflowContext.builder("bench").tag(WorkflowContext.TAG_TEAM, "support").build();
    }

    /** Reserve in both budgets, then settle to the actual cost: one budgeted call's bookkeeping. */
    @Benchmark
    @Threads(1)
    public boolean reserveAndSettle() {
        return switch (guard.admit("gpt-4o-mini", request, context)) {
            case BudgetGuard.Admission.Admitted a -> a.reservation().settle(actual);
            case BudgetGuard.Admission.Unbudgeted u -> false;
            case BudgetGuard.Admission.Refused r -> throw new IllegalStateException("refused: " + r.failures());
        };
    }

    /** The same under contention: two threads reserve in the same buckets. */
    @Benchmark
    @Threads(2)
    public boolean reserveAndSettleContended() {
        return reserveAndSettle();
    }
}
