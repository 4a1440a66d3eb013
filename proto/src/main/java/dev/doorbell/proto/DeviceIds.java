package dev.doorbell.proto;

import java.util.regex.Pattern;

/**
 * The syntax of a device id, shared by both sides of the wire: 1 to 63 characters of lowercase ASCII letters,
 * digits and '-', not starting or ending with '-'. Ids this narrow are safe as file names, in a certificate SAN
 * URI ({@code urn:doorbell:device:<id>}) and in HKDF info strings.
 */
public final class DeviceIds {
    public static final String RULE =
            "1 to 63 characters of lowercase letters a-z, digits 0-9 and '-', not starting or ending with '-'";
    public static final String SAN_URI_PREFIX = "urn:doorbell:device:";

    private static final Pattern VALID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private DeviceIds() {}

    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /** Returns {@code id} if valid, else throws with a message that says what is allowed. */
    public static String require(String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException("invalid device id '" + printable(id) + "': a device id is " + RULE);
        }
        return id;
    }

    public static String sanUri(String id) {
        return SAN_URI_PREFIX + require(id);
    }

    /** The device id of a SAN URI, or null when the URI is not a doorbell device URI with a valid id. */
    public static String fromSanUri(String uri) {
        if (uri == null || !uri.startsWith(SAN_URI_PREFIX)) {
            return null;
        }
        String id = uri.substring(SAN_URI_PREFIX.length());
        return isValid(id) ? id : null;
    }

    private static String printable(String id) {
        if (id == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < id.length() && i < 80; i++) {
            char c = id.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return id.length() > 80 ? out + "..." : out.toString();
    }
}
