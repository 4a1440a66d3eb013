package dev.doorbell.device.cli;

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

  static void apply(boolean verbose) {
    if (verbose) {
      level("dev.doorbell", Level.DEBUG);
    } else {
      level("dev.doorbell.device.link", Level.WARN);
    }
  }

  private static void level(String name, Level level) {
    if (LoggerFactory.getLogger(name) instanceof Logger logger) {
      logger.setLevel(level);
    }
  }
}
