package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import dev.costwise.gateway.config.GatewayConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A route's {@code rate_limit_headroom_above} is a share below 1; anything else is refused with what is wrong. */
class RateLimitHeadroomConfigTest {
    private static final String CONFIG = """
            models: [{name: free, provider: sim}, {name: paid, provider: sim}]
            pipelines:
              auto:
                routes:
                  - {name: free, model: free, when: %s}
                  - {name: code, model: paid, when: {keywords: [code]}}
                default_route: paid
            """;

    private static List<String> problemsOf(String when) {
        return ((ConfigException) assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get)
                .parse(CONFIG.formatted(when), "c.yaml")).isInstanceOf(ConfigException.class).actual()).problems();
    }

    @Test
    void givenAHeadroomShare_whenLoaded_thenTheRouteHoldsIt() {
        GatewayConfig config = new ConfigLoader(Map.<String, String>of()::get)
                .parse(CONFIG.formatted("{rate_limit_headroom_above: 0.2}"), "c.yaml");

        GatewayConfig.RouteRule free = config.pipelines().get("auto").routes().getFirst();
        assertThat(free.headroomAbove()).contains(0.2);
        assertThat(free.unconditional()).isFalse();
        assertThat(config.pipelines().get("auto").routes().get(1).headroomAbove()).isEqualTo(Optional.empty());
    }

    @Test
    void givenAHeadroomOutsideItsRange_whenLoaded_thenOnlyThatIsReported() {
        assertThat(problemsOf("{rate_limit_headroom_above: 1.5}")).as("not also 'route code can never match'")
                .containsExactly("pipelines.auto.routes[0].when.rate_limit_headroom_above: expected a share in [0, 1],"
                        + " was 1.5");
        assertThat(problemsOf("{rate_limit_headroom_above: -0.1}")).containsExactly(
                "pipelines.auto.routes[0].when.rate_limit_headroom_above: expected a share in [0, 1], was -0.1");
        assertThat(problemsOf("{rate_limit_headroom_above: plenty}")).containsExactly(
                "pipelines.auto.routes[0].when.rate_limit_headroom_above: expected a share in [0, 1], was 'plenty'");
    }

    @Test
    void givenAHeadroomOfOne_whenLoaded_thenItIsRefusedAsNeverMatching() {
        assertThat(problemsOf("{rate_limit_headroom_above: 1}")).containsExactly(
                "pipelines.auto.routes[0].when.rate_limit_headroom_above: can never match: a model never has more "
                        + "than all (1) of its rate limit left; give a share below 1, such as 0.2 to take the route "
                        + "while its model has more than 20% left");
    }

    @Test
    void givenTheBelowSpelling_whenLoaded_thenTheUnknownFieldNamesTheKnownOne() {
        assertThat(problemsOf("{rate_limit_headroom_below: 0.2}")).first().asString()
                .startsWith("pipelines.auto.routes[0].when.rate_limit_headroom_below: unknown field")
                .contains("rate_limit_headroom_above");
    }
}
