package dev.doorbell.fleet;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * report.json and the workers' progress lines, through jackson-jr: maps, lists, strings, numbers and booleans, in
 * the order the maps hold them, on one line. Read back, objects are {@code Map}s in file order, integers
 * {@code Integer} or {@code Long} and other numbers {@code Double}: callers take {@code Number}s. Null values are
 * written (a storm whose devices never all came back has a null time); a number that is not finite is written as
 * null, as JSON has no such number.
 */
final class Json {
    private static final JSON JSON_STD =
            JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES).with(JSON.Feature.PRESERVE_FIELD_ORDERING);

    private Json() {}

    static String write(Object value) {
        try {
            return JSON_STD.asString(finite(value));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** The JSON object {@code text}; an IllegalArgumentException naming the offset when it is not one. */
    static Map<String, Object> parseObject(String text) {
        try {
            return JSON_STD.mapFrom(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad JSON: " + e.getMessage(), e);
        }
    }

    private static Object finite(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k, finite(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(finite(v)));
            return copy;
        }
        if ((value instanceof Double || value instanceof Float) && !Double.isFinite(((Number) value).doubleValue())) {
            return null;
        }
        return value;
    }
}
