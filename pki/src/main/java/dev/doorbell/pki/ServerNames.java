package dev.doorbell.pki;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The names in the uplink's server certificate: always {@code localhost} and {@code 127.0.0.1}, plus the names
 * given with {@code --uplink-name}, each sorted into a DNS name or an IP literal. Parsing never asks DNS.
 *
 * @param dns DNS names, lowercase, without duplicates
 * @param ips IP literals as written, without duplicates
 */
public record ServerNames(List<String> dns, List<String> ips) {
    public static final String LOCALHOST = "localhost";
    public static final String LOOPBACK = "127.0.0.1";

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern DNS_NAME = Pattern.compile(
            "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    public ServerNames {
        dns = List.copyOf(dns);
        ips = List.copyOf(ips);
    }

    /** Parses extra names; throws with the offending name and the rule when one is neither a host name nor an IP. */
    public static ServerNames parse(List<String> extra) {
        List<String> dns = new ArrayList<>(List.of(LOCALHOST));
        List<String> ips = new ArrayList<>(List.of(LOOPBACK));
        for (String raw : extra) {
            String name = raw.trim().toLowerCase(Locale.ROOT);
            if (IPV4.matcher(name).matches() || name.contains(":")) {
                addOnce(ips, canonicalIp(raw, name));
            } else if (DNS_NAME.matcher(name).matches()) {
                addOnce(dns, name);
            } else {
                throw new IllegalArgumentException("invalid uplink name '" + raw
                        + "': give a DNS name (letters, digits, '-' and '.') or an IPv4/IPv6 literal");
            }
        }
        return new ServerNames(dns, ips);
    }

    private static String canonicalIp(String raw, String name) {
        // An IPv4 form with an octet over 255 is not a literal to InetAddress, which would then ask DNS for it.
        if (IPV4.matcher(name).matches()) {
            for (String octet : name.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    throw new IllegalArgumentException(
                            "invalid uplink IP address '" + raw + "': octet " + octet + " > 255");
                }
            }
        }
        try {
            // Only literals reach this point, which InetAddress parses without a lookup.
            return InetAddress.getByName(name).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("invalid uplink IP address '" + raw + "'", e);
        }
    }

    private static void addOnce(List<String> list, String value) {
        if (!list.contains(value)) {
            list.add(value);
        }
    }
}
