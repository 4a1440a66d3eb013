package dev.doorbell.app;

import dev.doorbell.seal.v2.Padding;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Checks {@code --pad BYTES} when it is parsed: 0 (no padding), or a frame bucket of 64..1048576 bytes that is a
 * multiple of 16 (docs/FORMAT.md §17), so that a bad value is one line before any device starts.
 */
public final class PadConverter implements ITypeConverter<Integer> {
    private static final Pattern DIGITS = Pattern.compile("\\d{1,8}");

    @Override
    public Integer convert(String value) {
        String trimmed = value.trim();
        if (!DIGITS.matcher(trimmed).matches() || !Padding.isValid(Long.parseLong(trimmed))) {
            throw new TypeConversionException("'" + value + "' is not a frame bucket: 0 (no padding) or "
                    + Padding.MIN + ".." + Padding.MAX + " bytes, a multiple of " + Padding.MULTIPLE + ", such as "
                    + Padding.RECOMMENDED);
        }
        return Integer.parseInt(trimmed);
    }
}
