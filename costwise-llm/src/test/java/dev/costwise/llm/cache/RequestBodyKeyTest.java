package dev.costwise.llm.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class RequestBodyKeyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final RequestBodyKey key = new RequestBodyKey(JSON);

    private String of(String body) throws Exception {
        return key.digest((ObjectNode) JSON.readTree(body));
    }

    @Test
    void givenBodiesDifferingInFieldOrderOrInFieldsThatDoNotChangeTheAnswer_whenKeyed_thenTheKeysAreEqual()
            throws Exception {
        String base = of("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");

        assertThat(of("{\"messages\": [{\"content\": \"hi\", \"role\": \"user\"}], \"model\": \"m\"}"))
                .isEqualTo(base);
        assertThat(of("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"user\": \"a\","
                + " \"metadata\": {\"x\": 1}, \"stream\": true, \"stream_options\": {\"include_usage\": true}}"))
                .isEqualTo(base);
    }

    @Test
    void givenBodiesMeaningTheSameButWrittenDifferently_whenKeyed_thenTheKeysDifferAsAtTheGateway() throws Exception {
        assertThat(of("{\"model\": \"m\", \"temperature\": 0}")).isNotEqualTo(of("{\"model\": \"m\", \"temperature\":"
                + " 0.0}"));
        assertThat(of("{\"model\": \"m\"}")).isNotEqualTo(of("{\"model\": \"m\", \"n\": 1}"));
    }

    @Test
    void givenABody_whenKeyed_thenItIsNotChanged() throws Exception {
        // every field the key leaves out, and a nested object whose field order a canonical writer could sort
        ObjectNode body = (ObjectNode) JSON.readTree("{\"model\": \"m\", \"user\": \"a\", \"stream\": true,"
                + " \"stream_options\": {\"include_usage\": true}, \"metadata\": {\"z\": \"1\", \"a\": \"2\"},"
                + " \"response_format\": {\"type\": \"json_object\", \"b\": 1, \"a\": 2}}");
        ObjectNode original = body.deepCopy();

        key.digest(body);

        assertThat(body).isEqualTo(original);
        assertThat(body.fieldNames()).toIterable().containsExactlyElementsOf(original::fieldNames);
        assertThat(body.get("response_format").fieldNames()).toIterable()
                .containsExactly("type", "b", "a");
    }

    @Test
    void givenFieldsAlsoLeftOut_whenKeyed_thenBodiesDifferingOnlyThereShareAKey() throws Exception {
        ObjectNode mini = (ObjectNode) JSON.readTree("{\"model\": \"gpt-4o-mini\", \"messages\": []}");
        ObjectNode big = (ObjectNode) JSON.readTree("{\"model\": \"gpt-4o\", \"messages\": []}");

        assertThat(key.digest(mini, "model")).isEqualTo(key.digest(big, "model"));
        assertThat(key.digest(mini)).isNotEqualTo(key.digest(big));
        assertThat(mini.has("model")).isTrue();
    }
}
