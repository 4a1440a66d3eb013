package dev.doorbell.cli.logging;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How both commands write their log to standard error: {@code text} (the default: one line per event, starting with
 * the date and time in ISO 8601, UTC) or {@code json} (one JSON object per line, {@link JsonLogEncoder}). Chosen by
 * {@code --log-format json} or the environment variable {@code DOORBELL_LOG_FORMAT=json}; the option wins.
 *
 * <p>Logback configures itself when the first logger is made, before picocli has parsed anything, so each command's
 * {@code main} calls {@link #select(String[])} first: it finds the option in the arguments and hands it to the
 * encoder ({@link SelectedLogEncoder}) through a system property. picocli parses the same option again, to refuse a
 * wrong value with the usual one-line error and to show it in {@code --help}.
 */
public enum LogFormat {
    TEXT,
    JSON;

    public static final String OPTION = "--log-format";
    public static final String ENV = "DOORBELL_LOG_FORMAT";
    static final String PROPERTY = "doorbell.log.format";

    /** Before any logger exists: takes {@code --log-format} from {@code args}, if there, for the encoder. */
    public static void select(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                return;
            }
            String value = null;
            if (args[i].equals(OPTION) && i + 1 < args.length) {
                value = args[i + 1];
            } else if (args[i].startsWith(OPTION + "=")) {
                value = args[i].substring(OPTION.length() + 1);
            }
            if (value != null && parse(value) != null) {
                System.setProperty(PROPERTY, parse(value).name().toLowerCase(Locale.ROOT));
            }
        }
    }

    /** The format in force: the system property (from the option), else the environment, else text. */
    static LogFormat current() {
        String chosen = System.getProperty(PROPERTY);
        if (chosen == null) {
            chosen = System.getenv(ENV);
        }
        LogFormat format = chosen == null ? null : parse(chosen);
        return format == null ? TEXT : format;
    }

    /** Null for anything but text or json (any case). */
    static LogFormat parse(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> null;
        };
    }

    /** picocli's converter: refuses anything but text and json. */
    public static final class Converter implements ITypeConverter<LogFormat> {
        @Override
        public LogFormat convert(String value) {
            LogFormat format = parse(value);
            if (format == null) {
                throw new TypeConversionException("'" + value + "' is not a log format: text or json");
            }
            return format;
        }
    }
}
