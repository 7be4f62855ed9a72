package dev.costwise.redis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A Redis that answers but refuses the URL's settings is a configuration error, not an outage to wait out. */
class RedisConnectionSettingsTest {

    @BeforeAll
    static void redis() {
        SharedRedis.requireRunning();
    }

    @Test
    void givenADatabaseNumberTheServerDoesNotHave_whenOpened_thenFailsAtOnceNamingTheSettingToCheck() {
        RedisOptions options = RedisOptions.builder().url(SharedRedis.URL + "/99").keyPrefix(SharedRedis.randomPrefix())
                .build();

        assertThatThrownBy(() -> RedisConnection.open(options)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("redis at redis://127.0.0.1:6379/99 refused this connection")
                .hasMessageContaining("DB index is out of range")
                .hasMessageContaining("check the database number, user and password of the URL");
    }
}
