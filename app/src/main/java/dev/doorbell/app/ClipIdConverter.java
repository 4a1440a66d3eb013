package dev.doorbell.app;

import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Checks a clip id as the tables print it, 1 to 16 hex digits, when it is parsed; returns the value unchanged. */
public final class ClipIdConverter implements ITypeConverter<String> {
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{1,16}");

    @Override
    public String convert(String value) {
        if (!HEX.matcher(value).matches()) {
            throw new TypeConversionException(
                    "'" + value + "' is not a clip id: 1 to 16 hex digits, as listed (e.g. " + "0000019a2b3c4d5e)");
        }
        return value;
    }
}
