package dev.costwise.llm.orchestration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads a labelled JSONL prompt set from the test resources. */
record LabelledPrompts(List<Row> rows) {

    record Row(String prompt, Complexity complexity, TaskType type) {}

    /** Accuracy of a classifier on these rows. */
    record Accuracy(double complexity, double type, List<String> mistakes) {}

    static LabelledPrompts load(String file) {
        ObjectMapper json = new ObjectMapper();
        List<Row> rows = new ArrayList<>();
        try (InputStream in = LabelledPrompts.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + file);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = json.readTree(line);
                rows.add(new Row(n.get("prompt").asText(), Complexity.valueOf(n.get("complexity").asText()),
                        TaskType.valueOf(n.get("type").asText())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LabelledPrompts(List.copyOf(rows));
    }

    Accuracy accuracyOf(RuleBasedTaskClassifier classifier) {
        int complexityHits = 0;
        int typeHits = 0;
        List<String> mistakes = new ArrayList<>();
        for (Row r : rows) {
            TaskClassification c = classifier.classify(TaskClassificationRequest.of(r.prompt()));
            boolean cOk = c.complexity() == r.complexity();
            boolean tOk = c.taskType() == r.type();
            complexityHits += cOk ? 1 : 0;
            typeHits += tOk ? 1 : 0;
            if (!cOk || !tOk) {
                mistakes.add((cOk ? "" : "C " + r.complexity() + "->" + c.complexity() + " ")
                        + (tOk ? "" : "T " + r.type() + "->" + c.taskType() + " ") + "| "
                        + r.prompt().substring(0, Math.min(70, r.prompt().length())).replace('\n', ' ')
                        + " || " + c.reason());
            }
        }
        return new Accuracy((double) complexityHits / rows.size(), (double) typeHits / rows.size(), mistakes);
    }
}
