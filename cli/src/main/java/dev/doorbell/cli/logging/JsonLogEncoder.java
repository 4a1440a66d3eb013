package dev.doorbell.cli.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * One JSON object per line, for log shippers (Vector, Fluent Bit, Loki's promtail, Elasticsearch): {@code time}
 * (ISO 8601, UTC, milliseconds), {@code level}, {@code logger}, {@code thread}, {@code device} and {@code clip} (from
 * the SLF4J MDC, where the uplink handles a session or a clip; absent elsewhere), {@code message} (formatted) and
 * {@code exception} (the stack trace, when there is one).
 *
 * <p>Not logback's own {@code JsonEncoder}: its field names are fixed ({@code timestamp}, {@code loggerName},
 * {@code threadName}), its time is epoch milliseconds, its MDC is a nested object and its message is the unformatted
 * pattern with the arguments apart; none of that can be configured, and a shipper's parsing rules would have to undo
 * each. Nothing here formats a payload or a key: what reaches the log is what the code logs (ids and sizes).
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
    /** The MDC keys a line carries as fields of their own. */
    public static final String DEVICE = "device";

    public static final String CLIP = "clip";

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final byte[] NOTHING = new byte[0];

    @Override
    public byte[] headerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] footerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        StringBuilder out = new StringBuilder(256);
        out.append('{');
        field(out, "time", TIME.format(event.getInstant()));
        out.append(',');
        field(out, "level", event.getLevel().toString());
        out.append(',');
        field(out, "logger", event.getLoggerName());
        out.append(',');
        field(out, "thread", event.getThreadName());
        Map<String, String> mdc = event.getMDCPropertyMap();
        for (String key : new String[] {DEVICE, CLIP}) {
            String value = mdc == null ? null : mdc.get(key);
            if (value != null) {
                out.append(',');
                field(out, key, value);
            }
        }
        out.append(',');
        field(out, "message", event.getFormattedMessage());
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            out.append(',');
            field(out, "exception", ThrowableProxyUtil.asString(thrown));
        }
        out.append("}\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void field(StringBuilder out, String name, String value) {
        quote(out, name);
        out.append(':');
        if (value == null) {
            out.append("null");
        } else {
            quote(out, value);
        }
    }

    /** RFC 8259 string: quote, backslash and every control character escaped, so that one event stays one line. */
    static void quote(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
