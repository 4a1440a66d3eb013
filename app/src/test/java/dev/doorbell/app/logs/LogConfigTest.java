package dev.doorbell.app.logs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TimeZone;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every logback configuration of the project (every module, main and test) stamps each line with the date and time
 * in ISO 8601 and UTC, whatever the machine's time zone: a log read days later, or next to another machine's, must
 * say when. Each file is loaded as logback loads it and its appender renders one event at a known instant.
 */
class LogConfigTest {
    private static final Instant WHEN = Instant.parse("2026-03-01T23:59:58.123Z");
    private static final Pattern ISO_UTC_PREFIX = Pattern.compile("^2026-03-01T23:59:58\\.123Z .*INFO.*an event\\R$");

    /** Every logback*.xml under a module's src/main/resources or src/test/resources. */
    static Stream<String> configs() throws IOException {
        Path root = repositoryRoot();
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> modules = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path module : modules) {
                for (String kind : List.of("main", "test")) {
                    Path resources = module.resolve("src").resolve(kind).resolve("resources");
                    for (String name : List.of("logback.xml", "logback-test.xml")) {
                        if (Files.isRegularFile(resources.resolve(name))) {
                            found.add(root.relativize(resources.resolve(name)).toString());
                        }
                    }
                }
            }
        }
        return found.stream().sorted();
    }

    @Test
    void configs_everyModuleWithLogsHasOne() throws IOException {
        List<String> found = configs().toList();
        assertTrue(
                found.contains("uplink/src/main/resources/logback.xml")
                        && found.contains("app/src/main/resources/logback.xml")
                        && found.size() >= 10,
                "configs found: " + found);
    }

    @ParameterizedTest
    @MethodSource("configs")
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
            for (Iterator<Appender<ILoggingEvent>> it =
                            context.getLogger("ROOT").iteratorForAppenders();
                    it.hasNext(); ) {
                if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
                    appenders.add(appender);
                }
            }
            assertFalse(appenders.isEmpty(), config + " has no console appender");
            LoggingEvent event = new LoggingEvent(
                    "test", context.getLogger("dev.doorbell.Test"), Level.INFO, "an event", null, null);
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
        throw new IllegalStateException(
                "the repository root is not above " + Path.of("").toAbsolutePath());
    }
}
