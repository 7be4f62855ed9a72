package dev.costwise.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.costwise.gateway.config.ConfigException;
import dev.costwise.gateway.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pipelines that load but could not do what they say: each is refused with its path, as {@code costwise config
 * check} and {@code serve} report it, instead of surprising a caller at run time.
 */
class PipelineConfigTest {
    private static List<String> problemsOf(String yaml) {
        return ((ConfigException) assertThatThrownBy(() -> new ConfigLoader(Map.<String, String>of()::get)
                .parse(yaml, "c.yaml")).isInstanceOf(ConfigException.class).actual()).problems();
    }

    private static void loads(String yaml) {
        new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "c.yaml");
    }

    @Test
    void givenARoutedPipelineOfANameOfItsOwnWithoutDefaultRoute_whenLoaded_thenTheDefaultRouteIsRequired() {
        assertThat(problemsOf("""
                models: [{name: mini, provider: sim}]
                pipelines:
                  auto:
                    routes:
                      - {name: code, model: mini, when: {keywords: [code]}}
                tests:
                  - {input: "hello", expect_route: default}
                """)).containsExactly("pipelines.auto.default_route: is required: 'auto' is not a model, alias or "
                + "group, so a request none of its routes takes would have no model to go to (the gateway would "
                + "answer it 404); name the model for them, e.g. default_route: mini");
    }

    @Test
    void givenARoutedPipelineWhoseOtherRequestsHaveAModel_whenLoaded_thenNoDefaultRouteIsNeeded() {
        String models = """
                models: [{name: mini, provider: sim}, {name: big, provider: sim}]
                """;
        loads(models + """
                pipelines:
                  mini: {routes: [{name: code, model: big, when: {keywords: [code]}}]}
                """); // the name itself is a model
        loads(models + """
                pipelines:
                  auto: {routes: [{name: code, model: big, when: {keywords: [code]}}], fallbacks: [mini]}
                """);
        loads(models + """
                pipelines:
                  auto: {routes: [{name: code, model: big, when: {keywords: [code]}}, {name: rest, model: mini}]}
                """); // the last route takes every request
    }

    @Test
    void givenAPipelineUnderAMisspeltModelName_whenLoaded_thenRefusedWithTheNameItMeant() {
        assertThat(problemsOf("""
                models: [{name: gpt-4o-mini, provider: sim}, {name: gpt-4o, provider: sim}]
                pipelines:
                  gpt4o-mini: {fallbacks: [gpt-4o]}
                  cheapest: {retry: {max_retries: 0}}
                """)).containsExactly(
                "pipelines.gpt4o-mini: no model, alias or group is named 'gpt4o-mini' (did you mean gpt-4o-mini?); "
                        + "a pipeline of a name of its own needs routes or a default_route",
                "pipelines.cheapest: no model, alias or group is named 'cheapest'; a pipeline of a name of its own "
                        + "needs routes or a default_route");
    }

    @Test
    void givenPipelinesOfNamesOfTheirOwnWithAModelToGoTo_whenLoaded_thenTheyAreNames() {
        loads("""
                models: [{name: mini, provider: sim}, {name: big, provider: sim}]
                groups: {pool: [mini, big]}
                aliases: {cheap: mini}
                pipelines:
                  pool: {retry: {max_retries: 0}}
                  cheap: {fallbacks: [big]}
                  fast: {default_route: mini, fallbacks: [big]}
                """);
    }

    @Test
    void givenAnEmptyOrBlankKeywordList_whenLoaded_thenRefusedInsteadOfTakingEveryRequestOrNone() {
        assertThat(problemsOf("""
                models: [{name: mini, provider: sim}, {name: big, provider: sim}]
                pipelines:
                  auto:
                    routes:
                      - {name: premium-terms, model: big, when: {keywords: []}}
                      - {name: blank, model: big, when: {keywords: [contract, " "]}}
                    default_route: mini
                """)).containsExactly(
                "pipelines.auto.routes[0].when.keywords: is empty, so the route would take every request: list at "
                        + "least one keyword, or remove keywords",
                "pipelines.auto.routes[1].when.keywords[1]: is blank, so it never matches: remove it");
    }
}
