package dev.doorbell.app;

import dev.doorbell.device.fault.FirmwareFault;
import java.util.Arrays;
import java.util.Iterator;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code simulate --fault NAME}: a firmware fault by its name (docs/FIRMWARE.md, "Fault modes"). */
final class FirmwareFaultConverter implements ITypeConverter<FirmwareFault> {
    @Override
    public FirmwareFault convert(String value) {
        try {
            return FirmwareFault.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** The names for the help text. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(FirmwareFault.values())
                    .map(FirmwareFault::cliName)
                    .iterator();
        }
    }
}
