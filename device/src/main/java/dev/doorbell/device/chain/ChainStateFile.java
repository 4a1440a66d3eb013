package dev.doorbell.device.chain;

import com.google.protobuf.ByteString;
import dev.doorbell.device.fault.CrashPoint;
import dev.doorbell.device.fault.InsecureCrashPoints;
import dev.doorbell.seal.keys.DurableFiles;
import dev.doorbell.seal.keys.KeyFileException;
import dev.doorbell.seal.keys.KeyFileText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code DEVICE_DIR/chain.state} (docs/PROTOCOL.md, "What the device persists"): the text layout of the key files
 * (docs/FORMAT.md §5), 0600, replaced atomically and durably ({@link DurableFiles}):
 *
 * <pre>
 * doorbell-device-chain v3
 * device: front-door
 * position: 12
 * clip: 3f0a9c2e51d4b7a8
 * header: &lt;standard base64 of the 32-byte SHA-256 of the clip's header bytes&gt;
 * acknowledged: 40
 * final: yes
 * </pre>
 */
public final class ChainStateFile {
    public static final String NAME = "chain.state";
    static final String MAGIC = "doorbell-device-chain v3";
    private static final List<String> FIELDS = List.of("device", "position", "clip", "header", "acknowledged", "final");
    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,18}");
    private static final Pattern CLIP = Pattern.compile("[0-9a-f]{16}");

    private ChainStateFile() {}

    /** The head in {@code file}; empty when there is no file (no clip started since pairing). */
    static Optional<ChainHead> read(Path file, String deviceId) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Map<String, String> values;
        try {
            values = KeyFileText.parse(file, MAGIC, FIELDS);
        } catch (KeyFileException e) {
            throw unusable(deviceId, file, e.getMessage(), e);
        }
        if (!values.get("device").equals(deviceId)) {
            throw unusable(deviceId, file, "it is the chain state of device " + values.get("device"), null);
        }
        long position = decimal(file, deviceId, values, "position", Long.MAX_VALUE);
        long acknowledged = decimal(file, deviceId, values, "acknowledged", Integer.MAX_VALUE);
        String clip = values.get("clip");
        if (!CLIP.matcher(clip).matches() || clip.equals("0000000000000000")) {
            throw unusable(deviceId, file, "'clip' is not 16 lower-case hex digits of a clip id", null);
        }
        byte[] header;
        try {
            header = Base64.getDecoder().decode(values.get("header"));
        } catch (IllegalArgumentException e) {
            throw unusable(deviceId, file, "'header' is not standard base64", e);
        }
        String finalValue = values.get("final");
        if (!finalValue.equals("yes") && !finalValue.equals("no")) {
            throw unusable(deviceId, file, "'final' is neither yes nor no", null);
        }
        try {
            return Optional.of(new ChainHead(
                    position,
                    Long.parseUnsignedLong(clip, 16),
                    ByteString.copyFrom(header),
                    (int) acknowledged,
                    finalValue.equals("yes")));
        } catch (IllegalArgumentException e) {
            throw unusable(deviceId, file, e.getMessage(), e);
        }
    }

    /**
     * Replaces {@code file} with {@code head}, durably: temp file, fsync, rename, directory fsync; each step is a crash
     * point of {@code update} (docs/FIRMWARE.md, "Crash safety").
     */
    static void write(Path file, String deviceId, ChainHead head, CrashPoint.Update update) throws IOException {
        InsecureCrashPoints.reached(update.beforeWrite());
        DurableFiles.writePrivate(
                file, format(deviceId, head).getBytes(StandardCharsets.UTF_8), true, InsecureCrashPoints.steps(update));
    }

    static String format(String deviceId, ChainHead head) {
        return MAGIC + "\n"
                + "device: " + deviceId + "\n"
                + "position: " + head.position() + "\n"
                + "clip: " + String.format("%016x", head.clipId()) + "\n"
                + "header: "
                + Base64.getEncoder().encodeToString(head.headerSha256().toByteArray()) + "\n"
                + "acknowledged: " + head.acknowledged() + "\n"
                + "final: " + (head.finalAcknowledged() ? "yes" : "no") + "\n";
    }

    private static long decimal(Path file, String deviceId, Map<String, String> values, String field, long max) {
        String value = values.get(field);
        if (!DECIMAL.matcher(value).matches()) {
            throw unusable(deviceId, file, "'" + field + "' is not a decimal number", null);
        }
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw unusable(deviceId, file, "'" + field + "' is too large", e);
        }
        if (parsed > max) {
            throw unusable(deviceId, file, "'" + field + "' is too large", null);
        }
        return parsed;
    }

    static ChainStateException unusable(String deviceId, Path file, String why, Throwable cause) {
        return new ChainStateException(
                "device " + deviceId + ": chain state " + file + " is unusable (" + why + "); the device starts no"
                        + " clip rather than fork its chain of clips: restore the file from a copy (deleting it starts"
                        + " the chain again at position 1, which the owner's open reports as CHAIN BROKEN)",
                cause);
    }
}
