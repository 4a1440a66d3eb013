package dev.doorbell.cli.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

/**
 * The encoder of every logback.xml the commands ship: the configured {@code pattern} for {@link LogFormat#TEXT}, or
 * {@link JsonLogEncoder} for {@link LogFormat#JSON}, decided once when logback starts it ({@link LogFormat#current()}).
 * One appender whose encoder chooses, rather than two appenders and a condition in the XML: logback's conditions need
 * Janino, which no command ships.
 */
public final class SelectedLogEncoder extends EncoderBase<ILoggingEvent> {
    private String pattern = "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z', UTC} %-5level %logger{0} [%thread] %msg%n";
    private Encoder<ILoggingEvent> chosen;

    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    @Override
    public void start() {
        if (LogFormat.current() == LogFormat.JSON) {
            chosen = new JsonLogEncoder();
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(pattern);
            chosen = text;
        }
        chosen.setContext(getContext());
        chosen.start();
        super.start();
    }

    @Override
    public void stop() {
        if (chosen != null) {
            chosen.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return chosen.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return chosen.encode(event);
    }

    @Override
    public byte[] footerBytes() {
        return chosen.footerBytes();
    }
}
