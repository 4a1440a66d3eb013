package dev.doorbell.owner;

import dev.doorbell.seal.v2.SigningKey;
import dev.doorbell.seal.v2.VerifyingKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An owner's signed request to delete clips of one device from an uplink's store (docs/FORMAT.md §6, "The owner's
 * request"): text, signed with the owner's Ed25519 signing key (the key that certifies the device's key), so that
 * the operator who applies it cannot make one up. The uplink deletes what it names and keeps its bytes; this class
 * writes one ({@code doorbell owner forget}) and checks one ({@code open}, {@code doorbell store check-request}).
 *
 * <pre>
 * doorbell-forget v1
 * device: front-door
 * issued: 2026-12-05T11:00:00Z
 * clip: 8141551200930571822 7          clip id (decimal, unsigned) and its chain position (0 or more lines)
 * before-position: 40                  every clip at a position below 40 (optional)
 * signature: BASE64                    Ed25519 over every byte before this line, context doorbell/v3/forget-request
 * </pre>
 */
public record ForgetRequest(
        String deviceId, Instant issued, Map<Long, Long> clipsByPosition, List<Long> clipIds, long beforePosition) {
    public static final String CONTEXT = "doorbell/v3/forget-request";
    static final String FIRST_LINE = "doorbell-forget v1";

    /** A request checked against the owner's key: {@code request} null when it does not parse or verify. */
    public record Checked(ForgetRequest request, String problem) {
        public boolean valid() {
            return request != null;
        }
    }

    /** Whether the request covers the clip at {@code position} (with {@code clipId}, 0 when not known). */
    public boolean covers(long position, long clipId) {
        return (position > 0 && position < beforePosition)
                || clipsByPosition.containsKey(position)
                || (clipId != 0 && clipIds.contains(clipId));
    }

    /**
     * The request's bytes, signed. {@code clips} maps chain position to clip id; {@code idsOnly} are clips whose
     * position the owner does not know (open names them by the id their successor gives).
     */
    public static byte[] sign(
            SigningKey owner,
            String deviceId,
            Instant issued,
            Map<Long, Long> clips,
            List<Long> idsOnly,
            long beforePosition) {
        StringBuilder text = new StringBuilder(FIRST_LINE + "\n");
        text.append("device: ").append(deviceId).append('\n');
        text.append("issued: ").append(issued.truncatedTo(ChronoUnit.SECONDS)).append('\n');
        clips.forEach((position, clip) -> text.append("clip: ")
                .append(Long.toUnsignedString(clip))
                .append(' ')
                .append(position)
                .append('\n'));
        idsOnly.forEach(clip ->
                text.append("clip: ").append(Long.toUnsignedString(clip)).append('\n'));
        if (beforePosition > 1) {
            text.append("before-position: ").append(beforePosition).append('\n');
        }
        byte[] signed = text.toString().getBytes(StandardCharsets.US_ASCII);
        String signature = Base64.getEncoder().encodeToString(owner.sign(CONTEXT, signed));
        return (text + "signature: " + signature + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses {@code bytes} and checks the signature under {@code owner}; the problem names what failed. */
    public static Checked check(byte[] bytes, VerifyingKey owner) {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        int at = text.lastIndexOf("\nsignature: ");
        if (!text.startsWith(FIRST_LINE + "\n") || at < 0 || !text.endsWith("\n")) {
            return new Checked(null, "not a doorbell-forget v1 request with a signature line");
        }
        byte[] signed = text.substring(0, at + 1).getBytes(StandardCharsets.US_ASCII);
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(text.substring(at + "\nsignature: ".length(), text.length() - 1));
        } catch (IllegalArgumentException e) {
            return new Checked(null, "the signature is not base64");
        }
        if (!owner.verify(CONTEXT, signed, signature)) {
            return new Checked(null, "the signature does not verify under the owner's key " + owner.fingerprint());
        }
        String device = null;
        Instant issued = null;
        Map<Long, Long> clips = new LinkedHashMap<>();
        List<Long> ids = new ArrayList<>();
        long before = 0;
        String[] lines = text.substring(0, at).split("\n", -1);
        try {
            for (int i = 1; i < lines.length; i++) {
                String[] f = lines[i].split(": ", 2);
                switch (f.length == 2 ? f[0] : "") {
                    case "device" -> device = f[1];
                    case "issued" -> issued = Instant.parse(f[1]);
                    case "clip" -> {
                        String[] v = f[1].split(" ", -1);
                        long id = Long.parseUnsignedLong(v[0]);
                        ids.add(id);
                        if (v.length == 2) {
                            clips.put(Long.parseLong(v[1]), id);
                        }
                    }
                    case "before-position" -> before = Long.parseLong(f[1]);
                    default -> {
                        return new Checked(
                                null, "line " + (i + 1) + " of a signed request is not one this reader knows");
                    }
                }
            }
        } catch (RuntimeException e) {
            return new Checked(null, "a signed line does not parse: " + e.getMessage());
        }
        if (device == null || issued == null) {
            return new Checked(null, "the request names no device or no issued time");
        }
        return new Checked(new ForgetRequest(device, issued, Map.copyOf(clips), List.copyOf(ids), before), null);
    }
}
