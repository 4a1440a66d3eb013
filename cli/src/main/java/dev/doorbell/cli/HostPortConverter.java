package dev.doorbell.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Checks a {@code HOST:PORT} option when it is parsed (a host, a colon, a port 0..65535; an IPv6 host in brackets),
 * so that the commands can split it without a NumberFormatException. Returns the value unchanged.
 */
public final class HostPortConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 1 || colon == value.length() - 1) {
            throw new TypeConversionException("'" + value + "' is not HOST:PORT (e.g. 127.0.0.1:7443)");
        }
        String port = value.substring(colon + 1);
        if (!port.chars().allMatch(Character::isDigit) || port.length() > 5 || Integer.parseInt(port) > 65535) {
            throw new TypeConversionException(
                    "'" + value + "': the port '" + port + "' is not a number from 0 to 65535");
        }
        return value;
    }

    /** The host part of a checked value, without IPv6 brackets. */
    public static String host(String hostPort) {
        String host = hostPort.substring(0, hostPort.lastIndexOf(':'));
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** The port of a checked value. */
    public static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }
}
