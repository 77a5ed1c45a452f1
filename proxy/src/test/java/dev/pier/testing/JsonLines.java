package dev.pier.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Lines of the access log read back with Jackson's parser, independent of the code that wrote them. */
public final class JsonLines {
    private static final JsonFactory JSON = new JsonFactory();

    private JsonLines() {}

    /**
     * One line, a flat JSON object, as its fields in order: strings, longs, doubles and nulls. Anything else, or
     * anything after the object, fails the test.
     */
    public static Map<String, Object> fields(String line) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new AssertionError("not a JSON object: " + line);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                m.put(name, switch (t) {
                    case VALUE_STRING -> p.getText();
                    case VALUE_NUMBER_INT -> p.getLongValue();
                    case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
                    case VALUE_NULL -> null;
                    default -> throw new AssertionError("unexpected " + t + " in " + line);
                });
            }
            if (p.nextToken() != null) {
                throw new AssertionError("more after the object: " + line);
            }
        }
        return m;
    }
}
