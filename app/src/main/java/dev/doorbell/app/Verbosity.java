package dev.doorbell.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * How much the load commands log. By default the links of many devices log warnings only, and a failure is one line
 * naming what failed and who refused whom; {@code --verbose} logs every link event and the exceptions behind
 * failures, stack traces included.
 */
final class Verbosity {
    private Verbosity() {}

    /** For many devices: links log warnings only, unless {@code verbose}. */
    static void forFleet(boolean verbose) {
        if (verbose) {
            level("dev.doorbell", Level.DEBUG);
        } else {
            level("dev.doorbell.device.link", Level.WARN);
        }
    }

    /** For a few devices, whose link events are worth a line each: the configured level, debug if {@code verbose}. */
    static void forFewDevices(boolean verbose) {
        if (verbose) {
            level("dev.doorbell", Level.DEBUG);
        }
    }

    private static void level(String name, Level level) {
        if (LoggerFactory.getLogger(name) instanceof Logger logger) {
            logger.setLevel(level);
        }
    }
}
