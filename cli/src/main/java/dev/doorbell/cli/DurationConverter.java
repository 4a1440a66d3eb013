package dev.doorbell.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The one duration syntax of every command: a number and a unit, {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h},
 * {@code 1d}, several in a row ({@code 1m30s}), decimals ({@code 1.5s}); ISO-8601 ({@code PT30S}) is accepted too.
 * A number without a unit is refused with the likely meaning spelled out, never guessed.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
    public static final String SYNTAX = "500ms, 30s, 2m, 1h, 1d or 1m30s";
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d))+");
    private static final Pattern NUMBER = Pattern.compile("[-+]?\\d+(?:\\.\\d+)?");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** The duration {@code value} names; a TypeConversionException saying what is wrong with it otherwise. */
    public static Duration parse(String value) {
        String text = value.trim();
        if (WHOLE.matcher(text).matches()) {
            Duration total = Duration.ZERO;
            Matcher m = PART.matcher(text);
            try {
                while (m.find()) {
                    total = total.plus(part(new BigDecimal(m.group(1)), m.group(2)));
                }
            } catch (ArithmeticException e) {
                throw new TypeConversionException("'" + value + "' is too long, or finer than a nanosecond");
            }
            return total;
        }
        if (NUMBER.matcher(text).matches()) {
            String n = text.startsWith("+") ? text.substring(1) : text;
            throw new TypeConversionException(
                    text.startsWith("-")
                            ? "'" + value + "' is negative; a duration is 0 or more"
                            : "'" + value + "' has no unit; add one: " + n + "ms, " + n + "s, " + n + "m, " + n
                                    + "h or " + n + "d");
        }
        if (text.startsWith("-")) {
            throw new TypeConversionException("'" + value + "' is negative; a duration is 0 or more");
        }
        if (text.startsWith("P") || text.startsWith("p")) {
            try {
                Duration iso = Duration.parse(text);
                if (!iso.isNegative()) {
                    return iso;
                }
            } catch (DateTimeParseException e) {
                // Not ISO-8601 either: the message below names the syntax.
            }
        }
        throw new TypeConversionException("'" + value + "' is not a duration; write e.g. " + SYNTAX);
    }

    private static Duration part(BigDecimal amount, String unit) {
        BigDecimal nanosPerUnit = BigDecimal.valueOf(
                switch (unit) {
                    case "ms" -> 1_000_000L;
                    case "s" -> 1_000_000_000L;
                    case "m" -> 60_000_000_000L;
                    case "h" -> 3_600_000_000_000L;
                    default -> 86_400_000_000_000L;
                });
        return Duration.ofNanos(amount.multiply(nanosPerUnit).longValueExact());
    }

    /** {@code duration} in the syntax above, shortest form first: 0s, 500ms, 30s, 2m, 1h30m, 1d, 1.5s. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.isNegative()) {
            return "-" + format(duration.negated());
        }
        if (duration.toNanos() % 1_000_000 != 0 || duration.compareTo(Duration.ofSeconds(1)) < 0) {
            return duration.toNanos() % 1_000_000 == 0
                    ? duration.toMillis() + "ms"
                    : BigDecimal.valueOf(duration.toNanos(), 6)
                                    .stripTrailingZeros()
                                    .toPlainString() + "ms";
        }
        if (duration.toMillis() % 1000 != 0) {
            return BigDecimal.valueOf(duration.toMillis(), 3)
                            .stripTrailingZeros()
                            .toPlainString() + "s";
        }
        StringBuilder out = new StringBuilder();
        long seconds = duration.toSeconds();
        long[] sizes = {86_400, 3_600, 60, 1};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (seconds >= sizes[i]) {
                out.append(seconds / sizes[i]).append(units[i]);
                seconds %= sizes[i];
            }
        }
        return out.toString();
    }
}
