package dev.doorbell.uplink.store;

import dev.doorbell.proto.DeviceIds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What an owner's signed request to delete clips names (docs/FORMAT.md §6, "The owner's request"), read without
 * checking its signature: the uplink holds no key type and cannot check it. It deletes what the request names and
 * keeps the request's bytes as a tombstone; the owner's {@code open} checks the signature and says whether the
 * deletions were asked for. A request names one device, clips by id and/or every clip before a chain position.
 */
public record ForgetRequest(String deviceId, String issued, List<Long> clipIds, long beforePosition) {
    public static final String FIRST_LINE = "doorbell-forget v1";
    /** The largest request read: far above any real one (clip lines of about 30 bytes). */
    public static final int MAX_BYTES = 1 << 20;

    public boolean covers(long clipId, long position) {
        return clipIds.contains(clipId) || (position > 0 && position < beforePosition);
    }

    /** Parses the request's lines; a line this reader does not know makes it refuse the request, naming it. */
    public static ForgetRequest parse(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("a request of " + bytes.length + " bytes is above " + MAX_BYTES);
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("the request does not end with a newline (cut short?)");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (!lines[0].equals(FIRST_LINE)) {
            throw new IllegalArgumentException("the request's first line is not '" + FIRST_LINE + "'");
        }
        String device = null;
        String issued = null;
        List<Long> clips = new ArrayList<>();
        long before = 0;
        boolean signed = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(": ");
            if (colon < 0 || signed) {
                throw new IllegalArgumentException("request line " + (i + 1) + " is not 'name: value'"
                        + (signed ? " (nothing may follow the signature)" : ""));
            }
            String value = line.substring(colon + 2);
            try {
                switch (line.substring(0, colon)) {
                    case "device" -> device = DeviceIds.isValid(value) ? value : null;
                    case "issued" -> issued = value;
                    case "clip" -> clips.add(Long.parseUnsignedLong(value.split(" ", -1)[0]));
                    case "before-position" -> before = Long.parseLong(value);
                    case "signature" -> signed = true;
                    default ->
                        throw new IllegalArgumentException("request line " + (i + 1) + " names an unknown field");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("request line " + (i + 1) + ": not a number");
            }
        }
        if (device == null || issued == null || !signed) {
            throw new IllegalArgumentException("the request needs a valid device, an issued time and a signature line");
        }
        if (clips.isEmpty() && before <= 1) {
            throw new IllegalArgumentException("the request names no clip (no clip line, no before-position above 1)");
        }
        return new ForgetRequest(device, issued, List.copyOf(clips), before);
    }
}
