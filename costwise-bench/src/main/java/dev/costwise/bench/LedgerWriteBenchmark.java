package dev.costwise.bench;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import dev.costwise.store.JdbcSpendLedger;
import dev.costwise.store.LedgerOptions;
import dev.costwise.store.SpendLedgers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Spend-ledger write throughput, append to durable: each invocation appends {@value #RECORDS} cost records and
 * flushes, so the score is records per second written through the batching writer (JDBC batches in one transaction
 * each). {@code database=postgresql} needs the server at 127.0.0.1:5432 (user postgres); each trial uses a fresh
 * schema, dropped afterwards.
 *
 * <pre>
 * java -jar costwise-bench/target/benchmarks.jar LedgerWriteBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class LedgerWriteBenchmark {

    static final int RECORDS = 5_000;
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/postgres";

    @Param({"sqlite", "postgresql"})
    public String database;

    @Param({"500"})
    public int batchSize;

    /** The tags each record carries: a key only (the gateway without users or teams), or key, user and team. */
    @Param({"key", "key-user-team"})
    public String tags;

    private JdbcSpendLedger ledger;
    private Path dir;
    private String schema;
    private long sequence;

    @Setup(Level.Trial)
    public void open() throws IOException, SQLException {
        LedgerOptions.Builder options = LedgerOptions.builder().batchSize(batchSize);
        if (database.equals("sqlite")) {
            dir = Files.createTempDirectory("costwise-ledger-bench");
            ledger = SpendLedgers.open(dir.resolve("ledger.db").toString(), options.build());
        } else {
            schema = "costwise_bench_" + System.nanoTime();
            admin("CREATE SCHEMA " + schema);
            ledger = SpendLedgers.open(POSTGRES + "?currentSchema=" + schema, options.user("postgres").build());
        }
    }

    @TearDown(Level.Trial)
    public void close() throws SQLException {
        ledger.close();
        if (schema != null) {
            admin("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void appendAndFlush() {
        Instant at = Instant.parse("2026-11-20T00:00:00Z");
        for (int i = 0; i < RECORDS; i++) {
            long n = sequence++;
            ledger.append(new CostRecord("req-" + n, 1, at.plusMillis(n), "gpt-4o", "gpt-4o-mini", "openai",
                    new Usage(1200, 400, 0, 350, 0, false), Money.of("0.00039"), Money.of("0.0065"),
                    PriceStatus.PRICED, Outcome.SUCCESS, Optional.empty(), Optional.of("cheap"),
                    Duration.ofMillis(420), tags.equals("key") ? Map.of("key", "key-" + n % 50)
                            : Map.of("key", "key-" + n % 50, "user", "user-" + n % 500, "team", "team-" + n % 5)));
        }
        ledger.flush();
    }

    private static void admin(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(POSTGRES, "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
