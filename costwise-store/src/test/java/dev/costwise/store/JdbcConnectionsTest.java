package dev.costwise.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQLite connections opened and closed one at a time, and otherwise the driver's own connections. */
class JdbcConnectionsTest {
    @TempDir
    Path dir;

    @Test
    void givenSqliteConnection_whenUsedAndClosed_thenItWorksAsTheDriversAndClosesTheDriversToo() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("c.db");
        Connection c = JdbcConnections.open(url);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (v INTEGER)");
            s.execute("INSERT INTO t VALUES (42)");
            try (ResultSet rs = s.executeQuery("SELECT v FROM t")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
        assertThat(c.isWrapperFor(org.sqlite.SQLiteConnection.class)).isTrue();

        c.close();

        assertThat(c.isClosed()).isTrue();
        assertThatThrownBy(c::createStatement).as("the driver's own error passes through, not a proxy's")
                .isInstanceOf(SQLException.class);
    }

    @Test
    void givenManyThreads_whenEachOpensAndClosesOneFileRepeatedly_thenAllFinishWithTheirData() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("shared.db");
        try (Connection c = JdbcConnections.open(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (v INTEGER)");
            s.execute("INSERT INTO t VALUES (1)");
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> sums = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                sums.add(pool.submit(() -> {
                    int sum = 0;
                    for (int i = 0; i < 50; i++) {
                        try (Connection c = JdbcConnections.open(url); Statement s = c.createStatement();
                                ResultSet rs = s.executeQuery("SELECT v FROM t")) {
                            rs.next();
                            sum += rs.getInt(1);
                        }
                    }
                    return sum;
                }));
            }
            for (Future<Integer> sum : sums) {
                assertThat(sum.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(50);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
