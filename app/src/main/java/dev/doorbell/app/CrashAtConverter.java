package dev.doorbell.app;

import dev.doorbell.device.fault.InsecureCrashPoints.CrashAt;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --insecure-crash-at POINT[:N]}: a crash point by its name (docs/FIRMWARE.md, "Crash safety"). */
final class CrashAtConverter implements ITypeConverter<CrashAt> {
    @Override
    public CrashAt convert(String value) {
        try {
            return CrashAt.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
