package dev.doorbell.cli.ops;

import dev.doorbell.cli.HostPortConverter;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Where {@code --metrics} serves: {@code HOST:PORT}, or a bare {@code PORT} on loopback (127.0.0.1), so that metrics
 * are never exposed beyond the machine unless the operator names an address.
 */
public record MetricsAddress(String host, int port) {
    public static final String LOOPBACK = "127.0.0.1";

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** picocli's converter for {@code --metrics}. */
    public static final class Converter implements ITypeConverter<MetricsAddress> {
        @Override
        public MetricsAddress convert(String value) {
            if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
                if (value.length() > 5 || Integer.parseInt(value) > 65535) {
                    throw new TypeConversionException("'" + value + "' is not a port from 0 to 65535");
                }
                return new MetricsAddress(LOOPBACK, Integer.parseInt(value));
            }
            String checked = new HostPortConverter().convert(value);
            return new MetricsAddress(HostPortConverter.host(checked), HostPortConverter.port(checked));
        }
    }
}
