package dev.doorbell.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * report.json and the workers' progress lines are read back by `fleet merge` and the parent process; a report may
 * also have been written or rewritten by another tool (jq, Python's json module), which use every escape JSON has.
 */
class JsonTest {
    @Test
    void parse_everyShortEscape_decodesToItsCharacter() {
        Map<String, Object> m = Json.parseObject("{\"abort\":\"a\\rb\\bc\\fd\\te\\nf\\\"g\\\\h\\/i\"}");

        assertEquals("a\rb\bc\fd\te\nf\"g\\h/i", m.get("abort"));
    }

    @Test
    void parse_reportReasonsWrittenByPython_keysKeepTheirControlCharacters() {
        // json.dumps({"closed\r before Welcome": 3}) in Python writes the carriage return as \r.
        Map<String, Object> m = Json.parseObject("{\"connectFailureReasons\": {\"closed\\r before Welcome\": 3}}");

        assertEquals(
                List.of("closed\r before Welcome"), List.copyOf(((Map<?, ?>) m.get("connectFailureReasons")).keySet()));
    }
}
