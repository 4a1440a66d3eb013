package dev.doorbell.cli.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLogEncoderTest {
    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("dev.doorbell.uplink.session.ClipStream");

    private LoggingEvent event(Map<String, String> mdc, String pattern, Throwable thrown, Object... args) {
        LoggingEvent event = new LoggingEvent("fqcn", logger, Level.WARN, pattern, thrown, args);
        event.setMDCPropertyMap(mdc);
        event.setInstant(Instant.parse("2026-12-05T16:42:53.123456Z"));
        event.setThreadName("uplink-io-3");
        return event;
    }

    private static String encode(LoggingEvent event) {
        JsonLogEncoder encoder = new JsonLogEncoder();
        encoder.start();
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void encode_deviceAndClipInMdc_oneLineWithTheFieldsInOrder() {
        LoggingEvent event = event(
                Map.of("device", "dev-a", "clip", "17", "other", "not a field"),
                "refused {} ({})",
                null,
                "device dev-a clip 17 frame 3: other bytes",
                "CONFLICT");
        assertEquals(
                "{\"time\":\"2026-12-05T16:42:53.123Z\",\"level\":\"WARN\","
                        + "\"logger\":\"dev.doorbell.uplink.session.ClipStream\",\"thread\":\"uplink-io-3\","
                        + "\"device\":\"dev-a\",\"clip\":\"17\","
                        + "\"message\":\"refused device dev-a clip 17 frame 3: other bytes (CONFLICT)\"}\n",
                encode(event));
    }

    @Test
    void encode_noMdc_noDeviceOrClipField() {
        String line = encode(event(Map.of(), "store opened", null));
        assertTrue(!line.contains("\"device\"") && !line.contains("\"clip\""), line);
    }

    @Test
    void encode_quotesBackslashesAndControlCharacters_escapedOnOneLine() {
        String line = encode(event(Map.of(), "a \"quoted\" \\ path\nsecond line\tand \u0001\u2028", null));
        assertTrue(
                line.contains("\"message\":\"a \\\"quoted\\\" \\\\ path\\nsecond line\\tand \\u0001\\u2028\"}"), line);
        assertEquals(1, line.split("\n", -1).length - 1, "one line: " + line);
    }

    @Test
    void encode_exception_stackTraceInExceptionField() {
        String line = encode(event(Map.of(), "store failed", new IOException("No space left on device")));
        assertTrue(line.contains(",\"exception\":\"java.io.IOException: No space left on device\\n\\tat "), line);
        assertTrue(line.endsWith("\"}\n") && line.indexOf('\n') == line.length() - 1, line);
    }

    @Test
    void select_optionInArguments_overridesTheDefault() {
        String before = System.getProperty(LogFormat.PROPERTY);
        try {
            System.clearProperty(LogFormat.PROPERTY);
            LogFormat.select(new String[] {"serve", "--data", "d", "--log-format=JSON"});
            assertEquals(LogFormat.JSON, LogFormat.current());
            LogFormat.select(new String[] {"serve", "--log-format", "text"});
            assertEquals(LogFormat.TEXT, LogFormat.current());
            LogFormat.select(new String[] {"serve", "--log-format", "yaml"});
            assertEquals(LogFormat.TEXT, LogFormat.current(), "a wrong value changes nothing (picocli refuses it)");
        } finally {
            if (before == null) {
                System.clearProperty(LogFormat.PROPERTY);
            } else {
                System.setProperty(LogFormat.PROPERTY, before);
            }
        }
    }
}
