package dev.costwise.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.core.Money;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class DialectTest {

    @Test
    void givenAmount_whenEncodedForSqlite_thenExactPicoDollarsRoundedUpBeyondTwelveDecimals() {
        assertThat(Dialect.SQLITE.encodeMoney(Money.of("0.000001"))).isEqualTo(1_000_000L);
        assertThat(Dialect.SQLITE.encodeMoney(Money.of("12.5"))).isEqualTo(12_500_000_000_000L);
        assertThat(Dialect.SQLITE.encodeMoney(Money.of("0.0000000000011"))).isEqualTo(2L);
        assertThat(Dialect.POSTGRESQL.encodeMoney(Money.of("0.0000000000011")))
                .isEqualTo(new BigDecimal("0.000000000002"));
    }

    @Test
    void givenAmountBeyondTheColumn_whenEncoded_thenFailsNamingTheLimitAndTheAmount() {
        assertThatThrownBy(() -> Dialect.SQLITE.encodeMoney(Money.ofDollars(10_000_000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$9,223,372.036854775807")
                .hasMessageEndingWith(": 10000000");
        assertThatThrownBy(() -> Dialect.POSTGRESQL.encodeMoney(Money.of("1e18")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NUMERIC(30,12)");
        assertThat(Dialect.POSTGRESQL.encodeMoney(Money.of("999999999999999999.5")))
                .isEqualTo(new BigDecimal("999999999999999999.500000000000"));
    }

    @Test
    void givenMigrationScript_whenSplit_thenStatementsWithoutComments() {
        assertThat(Migrations.split("-- a comment; with a semicolon\nCREATE TABLE t (a ${money});\n\n"
                + "  -- another\nCREATE INDEX i ON t (a);\n"))
                .containsExactly("CREATE TABLE t (a ${money})", "CREATE INDEX i ON t (a)");
        assertThat(Dialect.SQLITE.render("a ${money} ${id}")).isEqualTo("a BIGINT INTEGER PRIMARY KEY");
        assertThat(Dialect.POSTGRESQL.render("a ${money}")).isEqualTo("a NUMERIC(30,12)");
    }
}
