package dev.doorbell.device.logs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TimeZone;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every logback configuration of the project (both modules, main and test) stamps each line with the date and time
 * in ISO 8601 and UTC, whatever the machine's time zone: a log read days later, or next to another machine's, must
 * say when. Each file is loaded as logback loads it and its appender renders one event at a known instant.
 */
class LogConfigTest {
  private static final Instant WHEN = Instant.parse("2026-03-01T23:59:58.123Z");
  private static final Pattern ISO_UTC_PREFIX = Pattern.compile("^2026-03-01T23:59:58\\.123Z .*INFO.*an event\\R$");

  @ParameterizedTest
  @ValueSource(strings = {"uplink/src/main/resources/logback.xml", "uplink/src/test/resources/logback-test.xml",
      "device/src/main/resources/logback.xml", "device/src/test/resources/logback-test.xml"})
  void everyConfig_rendersIsoDateInUtc(String config) throws Exception {
    Path file = repositoryRoot().resolve(config);
    TimeZone before = TimeZone.getDefault();
    // Rendered in a zone far from UTC, so that a local-time pattern cannot pass by accident.
    TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati"));
    LoggerContext context = new LoggerContext();
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(file.toFile());
      List<OutputStreamAppender<ILoggingEvent>> appenders = new ArrayList<>();
      for (Iterator<Appender<ILoggingEvent>> it = context.getLogger("ROOT").iteratorForAppenders(); it.hasNext(); ) {
        if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
          appenders.add(appender);
        }
      }
      assertFalse(appenders.isEmpty(), config + " has no console appender");
      LoggingEvent event = new LoggingEvent("test", context.getLogger("dev.doorbell.Test"), Level.INFO, "an event",
          null, null);
      event.setInstant(WHEN);
      for (OutputStreamAppender<ILoggingEvent> appender : appenders) {
        String line = new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
        assertTrue(ISO_UTC_PREFIX.matcher(line).matches(), config + " renders: " + line);
      }
    } finally {
      context.stop();
      TimeZone.setDefault(before);
    }
  }

  private static Path repositoryRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("uplink/src/main/resources"))) {
        return p;
      }
    }
    throw new IllegalStateException("the repository root is not above " + Path.of("").toAbsolutePath());
  }
}
