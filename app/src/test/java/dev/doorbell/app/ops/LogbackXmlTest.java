package dev.doorbell.app.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import dev.doorbell.cli.logging.SelectedLogEncoder;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every logback.xml a jar ships (the doorbell command's and the uplink's) writes through the encoder that honours
 * {@code --log-format} and {@code DOORBELL_LOG_FORMAT}, with the dated pattern for text: a config that went back to
 * a plain encoder would silently ignore both.
 */
class LogbackXmlTest {
    @Test
    void everyShippedLogbackXml_selectedEncoderWithIsoUtcDates() throws Exception {
        List<URL> configs = new ArrayList<>();
        for (URL url : Collections.list(getClass().getClassLoader().getResources("logback.xml"))) {
            configs.add(url);
        }
        assertTrue(
                configs.stream().anyMatch(u -> u.toString().contains("uplink"))
                        && configs.stream().anyMatch(u -> u.toString().contains("app")),
                "the doorbell command's and the uplink's logback.xml: " + configs);
        for (URL config : configs) {
            String text = new String(config.openStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(text.contains("%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z', UTC}"), config + " dates its lines");
            LoggerContext context = new LoggerContext();
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(config);
            Iterator<Appender<ILoggingEvent>> appenders =
                    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
            assertTrue(appenders.hasNext(), config + " has an appender");
            while (appenders.hasNext()) {
                Appender<ILoggingEvent> appender = appenders.next();
                assertTrue(
                        appender instanceof OutputStreamAppender<ILoggingEvent> out
                                && out.getEncoder() instanceof SelectedLogEncoder,
                        config + ": " + appender.getName() + " does not use SelectedLogEncoder");
            }
            context.stop();
        }
    }
}
