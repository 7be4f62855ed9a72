package dev.costwise.store;

import dev.costwise.core.Money;
import dev.costwise.llm.chat.Usage;
import dev.costwise.llm.cost.CostRecord;
import dev.costwise.llm.cost.Outcome;
import dev.costwise.llm.cost.PriceStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * Measures ledger write throughput (records per second, append to durable) on SQLite and PostgreSQL. Not a test: a
 * standalone program, run by hand (JMH lives in costwise-bench's {@code LedgerWriteBenchmark}).
 *
 * <pre>
 * mvn -q -o -pl costwise-store -am test-compile
 * M=~/.m2/repository
 * java -cp costwise-store/target/test-classes:costwise-store/target/classes:costwise-llm/target/classes:\
 * costwise-core/target/classes:$M/org/xerial/sqlite-jdbc/3.51.1.0/sqlite-jdbc-3.51.1.0.jar:\
 * $M/org/postgresql/postgresql/42.7.8/postgresql-42.7.8.jar:\
 * $M/com/fasterxml/jackson/core/jackson-databind/2.23.0/jackson-databind-2.23.0.jar:\
 * $M/com/fasterxml/jackson/core/jackson-core/2.23.0/jackson-core-2.23.0.jar:\
 * $M/com/fasterxml/jackson/core/jackson-annotations/2.23/jackson-annotations-2.23.jar:\
 * $M/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar \
 *     dev.costwise.store.LedgerThroughputMain [records] [threads] [sqlite|postgres|both] [batch sizes, e.g. 500,2000]
 * </pre>
 *
 * Each run appends {@code records} records from {@code threads} virtual threads, then flushes, and reports the
 * records per second from the first append to the end of the flush, three runs per database and batch size (the first
 * includes JIT warm-up). Records carry key, user, team and feature tags, as the gateway writes them.
 */
public final class LedgerThroughputMain {

    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/postgres";

    private LedgerThroughputMain() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        String which = args.length > 2 ? args[2] : "both";
        int[] batchSizes = args.length > 3 ? java.util.Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt)
                .toArray() : new int[] {500};
        if (!which.equals("postgres")) {
            Path dir = Files.createTempDirectory("costwise-ledger-bench");
            for (int batch : batchSizes) {
                for (int run = 0; run < 3; run++) {
                    Path file = dir.resolve("ledger-" + batch + "-" + run + ".db");
                    double rate = measure(file.toString(), LedgerOptions.builder().batchSize(batch).build(), records,
                            threads);
                    System.out.printf("sqlite     batch=%d threads=%d records=%d run=%d: %,.0f records/s%n", batch,
                            threads, records, run, rate);
                }
            }
        }
        if (!which.equals("sqlite")) {
            for (int batch : batchSizes) {
                for (int run = 0; run < 3; run++) {
                    String schema = "costwise_bench_" + System.nanoTime();
                    admin("CREATE SCHEMA " + schema);
                    try {
                        double rate = measure(POSTGRES + "?currentSchema=" + schema,
                                LedgerOptions.builder().user("postgres").batchSize(batch).build(), records, threads);
                        System.out.printf("postgresql batch=%d threads=%d records=%d run=%d: %,.0f records/s%n",
                                batch, threads, records, run, rate);
                    } finally {
                        admin("DROP SCHEMA " + schema + " CASCADE");
                    }
                }
            }
        }
    }

    private static double measure(String location, LedgerOptions options, int records, int threads)
            throws InterruptedException {
        List<CostRecord> prepared = new ArrayList<>(records);
        Instant start = Instant.parse("2026-11-20T00:00:00Z");
        for (int i = 0; i < records; i++) {
            prepared.add(new CostRecord("req-" + i, 1, start.plusMillis(i), "gpt-4o", "gpt-4o-mini", "openai",
                    new Usage(1200, 400, 0, 350, 0, false), Money.of("0.00039"), Money.of("0.0065"),
                    PriceStatus.PRICED, Outcome.SUCCESS, Optional.empty(), Optional.of("cheap"),
                    Duration.ofMillis(420), Map.of("key", "key-" + i % 50, "user", "user-" + i % 500, "team",
                            "team-" + i % 5, "feature", "chat")));
        }
        try (JdbcSpendLedger ledger = SpendLedgers.open(location, options)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> appenders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int from = t * records / threads;
                int to = (t + 1) * records / threads;
                appenders.add(Thread.ofVirtual().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    for (int i = from; i < to; i++) {
                        ledger.append(prepared.get(i));
                    }
                }));
            }
            Duration cpuBefore = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
            long began = System.nanoTime();
            go.countDown();
            for (Thread appender : appenders) {
                appender.join();
            }
            long appended = System.nanoTime() - began;
            ledger.flush();
            long nanos = System.nanoTime() - began;
            Duration cpu = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).minus(cpuBefore);
            System.out.printf("  appends took %,d ms (%,.0f appends/s), durable after %,d ms; this JVM used %,d ms CPU"
                    + " (%,.0f records per CPU-second)%n", appended / 1_000_000, records / (appended / 1e9),
                    nanos / 1_000_000, cpu.toMillis(), records / (cpu.toNanos() / 1e9));
            return records / (nanos / 1e9);
        }
    }

    private static void admin(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(POSTGRES, "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
