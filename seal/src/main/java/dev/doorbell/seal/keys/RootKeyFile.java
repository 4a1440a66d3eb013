package dev.doorbell.seal.keys;

import dev.doorbell.proto.DeviceIds;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code <device>.root} file (docs/FORMAT.md §5): one device's root key, which only the owner's side holds. The
 * format lives here, beside {@link EpochKeyFile}; which directory holds such files is the owner's business.
 */
public final class RootKeyFile {
    public static final String MAGIC = "doorbell-root-key v1";
    public static final String SUFFIX = ".root";

    private RootKeyFile() {}

    /** Reads and checks {@code file}: a valid device id, and a name of {@code <that device>.root}. */
    public static RootKey read(Path file) {
        Map<String, String> values = KeyFileText.parse(file, MAGIC, List.of("device", "key"));
        String deviceId = values.get("device");
        String expectedName = deviceId + SUFFIX;
        if (!DeviceIds.isValid(deviceId)) {
            throw new KeyFileException(file + ": 'device' is not a valid device id: a device id is " + DeviceIds.RULE);
        }
        if (!file.getFileName().toString().equals(expectedName)) {
            throw new KeyFileException(
                    file + " holds the root key of device '" + deviceId + "'; it must be named " + expectedName);
        }
        return RootKey.adopt(deviceId, KeyFileText.decodeKey(file, values.get("key")));
    }

    /**
     * Writes {@code <dir>/<device>.root} with mode 0600, atomically; durably with {@code sync}, else the caller makes
     * it durable later (provisioning syncs the whole fleet once).
     */
    public static void write(Path dir, RootKey key, boolean sync) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("device", key.deviceId());
        KeyFileText.write(
                dir.resolve(key.deviceId() + SUFFIX),
                MAGIC,
                fields,
                key.secret(),
                "root key of device " + key.deviceId(),
                sync);
    }
}
