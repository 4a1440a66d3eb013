package dev.doorbell.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures what is logged under a logger while open, for tests that check what an operator sees. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    /** Everything the project logs ({@code dev.doorbell}). */
    public LogCapture() {
        this("dev.doorbell");
    }

    /** What {@code loggerName} and the loggers below it log. */
    public LogCapture(String loggerName) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        appender.start();
        logger.addAppender(appender);
    }

    /** The logback logger the capture listens to, for a test that sets its level. */
    public Logger logger() {
        return logger;
    }

    /** Each captured line as "LEVEL message", in order. */
    public List<String> lines() {
        return events().stream()
                .map(e -> e.getLevel() + " " + e.getFormattedMessage())
                .toList();
    }

    /** Each captured message, in order. */
    public List<String> messages() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** The messages logged at ERROR. */
    public List<String> errors() {
        return events().stream()
                .filter(e -> e.getLevel() == Level.ERROR)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    /** The captured events, in order. The appender adds under its own monitor (AppenderBase.doAppend). */
    public List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
