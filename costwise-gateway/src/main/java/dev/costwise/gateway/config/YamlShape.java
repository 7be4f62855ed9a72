package dev.costwise.gateway.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The problems of YAML text found before its values are read, each with its line: every key a mapping writes twice
 * (the second would silently replace the first; the parser's own strict mode stops at the first one), and the first
 * syntax error, in one line rather than the YAML library's multi-line dump. Stateless.
 */
final class YamlShape {
    private static final YAMLFactory YAML = new YAMLFactory();

    private YamlShape() {}

    /**
     * @param text YAML text
     * @return every problem ({@code pipelines.m: is written twice; … (line 5)}, {@code not valid YAML: … (line 5,
     *     column 1)}); empty when there is none
     */
    static List<String> problems(String text) {
        List<String> out = new ArrayList<>();
        Deque<Set<String>> keys = new ArrayDeque<>(); // the keys of each mapping open around the token
        try (JsonParser p = YAML.createParser(text)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.START_OBJECT) {
                    keys.push(new HashSet<>());
                } else if (t == JsonToken.END_OBJECT) {
                    keys.pop();
                } else if (t == JsonToken.FIELD_NAME && !keys.isEmpty() && !keys.peek().add(p.currentName())) {
                    out.add(path(p) + ": is written twice; the second would silently replace the first (line "
                            + p.currentTokenLocation().getLineNr() + ")");
                }
            }
        } catch (JsonProcessingException e) {
            out.add(syntaxError(e));
        } catch (IOException e) {
            throw new UncheckedIOException("reading a string failed", e);
        }
        return out;
    }

    /** @return the problem a YAML parser's failure is, with the line and column where the library found it */
    static String syntaxError(JsonProcessingException e) {
        if (e instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            // the library's own mark, counted from 0; the exception's location is the last token read before it
            return "not valid YAML: " + marked.getProblem() + " (line " + (marked.getProblemMark().getLine() + 1)
                    + ", column " + (marked.getProblemMark().getColumn() + 1) + ")";
        }
        return "not valid YAML: " + e.getOriginalMessage()
                + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")");
    }

    /** @return the path of the key the parser is on, as problems name it ({@code pipelines.m}, {@code keys[1].id}) */
    private static String path(JsonParser parser) {
        StringBuilder path = new StringBuilder();
        for (String part : parser.getParsingContext().pathAsPointer().toString().substring(1).split("/")) {
            String name = part.replace("~1", "/").replace("~0", "~");
            path.append(name.matches("\\d+") ? "[" + name + "]" : (path.isEmpty() ? "" : ".") + name);
        }
        return path.toString();
    }
}
