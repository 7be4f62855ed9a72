package dev.costwise.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.costwise.core.Money;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The {@code costwise} object, byte for byte, as each answer that carries it writes it: a stream's usage chunk, one
 * whose usage was estimated, a cache hit, a workflow run and its hit, and an error answer after a billed attempt.
 */
class CostwiseObjectTest {

    private static final CostwiseObject.RunCosts RUN = new CostwiseObject.RunCosts(Money.of("0.02"),
            Money.of("0.003"), Money.of("0.001"), Money.of("0.015"), "complex", 1, Optional.of("failed"));

    @Test
    void givenAStreamsCost_whenWritten_thenItHasCostCacheModelAndRouteInThatOrder() {
        CostwiseObject usageChunk = CostwiseObject.of(Money.of("0.00123"), "miss", "gpt-4o-mini", "default");

        assertThat(usageChunk.toJson())
                .isEqualTo("{\"cost\":\"0.00123\",\"cache\":\"miss\",\"model_used\":\"gpt-4o-mini\",\"route\":"
                        + "\"default\"}");
    }

    @Test
    void givenAnEstimatedUsage_whenWritten_thenItSaysSoAfterTheRoute_andNotWhenItIsNot() {
        CostwiseObject measured = CostwiseObject.of(Money.of("0.5"), "bypass", "m", "r");

        assertThat(measured.withEstimated(true).toJson())
                .isEqualTo("{\"cost\":\"0.5\",\"cache\":\"bypass\",\"model_used\":\"m\",\"route\":\"r\","
                        + "\"estimated\":true}");
        assertThat(measured.withEstimated(false).toJson()).isEqualTo(measured.toJson()).doesNotContain("estimated");
    }

    @Test
    void givenACacheHit_whenWritten_thenItIsFreeAndSaysWhatItSaved() {
        CostwiseObject hit = CostwiseObject.of(Money.ZERO, "hit", "gpt-4o", "premium").withSavings(Money.of("0.04"));

        assertThat(hit.toJson()).isEqualTo("{\"cost\":\"0\",\"cache\":\"hit\",\"model_used\":\"gpt-4o\",\"route\":"
                + "\"premium\",\"savings\":\"0.04\"}");
    }

    @Test
    void givenAWorkflowRun_whenWritten_thenItHasItsBreakdownAndSavesTheBaselineMinusItsCost() {
        CostwiseObject run = CostwiseObject.ofRun(Money.of("0.024"), RUN);

        assertThat(run.savings()).contains(Money.of("-0.009"));
        assertThat(run.toJson()).isEqualTo("{\"cost\":\"0.024\",\"orchestrator_cost\":\"0.02\",\"executor_cost\":"
                + "\"0.003\",\"failed_cost\":\"0.001\",\"baseline_cost\":\"0.015\",\"savings\":\"-0.009\","
                + "\"complexity\":\"complex\",\"escalations\":1,\"validation\":\"failed\"}");
    }

    @Test
    void givenAStreamedWorkflowRun_whenWritten_thenWhereItCameFromGoesBeforeItsBreakdown() {
        CostwiseObject streamed = CostwiseObject.ofRun(Money.of("0.024"), RUN)
                .withServed("miss", "gpt-4o-mini", "workflow:complex");

        assertThat(streamed.toJson()).isEqualTo("{\"cost\":\"0.024\",\"cache\":\"miss\",\"model_used\":"
                + "\"gpt-4o-mini\",\"route\":\"workflow:complex\",\"orchestrator_cost\":\"0.02\",\"executor_cost\":"
                + "\"0.003\",\"failed_cost\":\"0.001\",\"baseline_cost\":\"0.015\",\"savings\":\"-0.009\","
                + "\"complexity\":\"complex\",\"escalations\":1,\"validation\":\"failed\"}");
    }

    @Test
    void givenABilledFailure_whenWritten_thenItNamesTheLastBilledModelAndEscapesItsStrings() {
        GatewayException.Billed billed = new GatewayException.Billed(Money.of("0.0105"), "miss", "my \"model\"",
                "default");

        assertThat(CostwiseObject.of(billed).toJson()).isEqualTo("{\"cost\":\"0.0105\",\"cache\":\"miss\","
                + "\"model_used\":\"my \\\"model\\\"\",\"route\":\"default\"}");
    }

    @Test
    void givenAParentWithAnObjectAlready_whenWrittenInto_thenItReplacesItWhereItWas() {
        ObjectNode chunk = JsonNodeFactory.instance.objectNode().put("id", "c");
        chunk.putObject("costwise").put("cost", "9");
        chunk.putObject("usage");

        ObjectNode written = CostwiseObject.of(Money.of("1"), "miss", "m", "r").writeTo(chunk);

        assertThat(chunk.get("costwise")).isSameAs(written);
        assertThat(chunk.toString()).isEqualTo("{\"id\":\"c\",\"costwise\":{\"cost\":\"1\",\"cache\":\"miss\","
                + "\"model_used\":\"m\",\"route\":\"r\"},\"usage\":{}}");
    }
}
