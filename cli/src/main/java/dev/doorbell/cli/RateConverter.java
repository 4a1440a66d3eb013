package dev.doorbell.cli;

import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Checks a rate per second, {@code 500/s} (or {@code 500}), when it is parsed; returns the value unchanged. */
public final class RateConverter implements ITypeConverter<String> {
    private static final Pattern RATE = Pattern.compile("\\d+(\\.\\d+)?(/s)?");

    @Override
    public String convert(String value) {
        if (!RATE.matcher(value.trim()).matches()
                || Double.parseDouble(value.trim().replace("/s", "")) <= 0) {
            throw new TypeConversionException("'" + value + "' is not a rate per second above 0, such as 500/s");
        }
        return value;
    }

    /** The number of a checked rate: 500 for {@code 500/s}. */
    public static double perSecond(String checked) {
        return Double.parseDouble(checked.trim().replace("/s", ""));
    }
}
