package dev.doorbell.seal.keys;

import dev.doorbell.proto.DeviceIds;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's {@code epoch.key} file (docs/FORMAT.md §5): the one epoch key a doorbell holds. Advancing replaces
 * it durably and then overwrites the old file's blocks, so a stolen device keeps no earlier key.
 */
public final class EpochKeyFile {
    static final String MAGIC = "doorbell-epoch-key v1";
    private static final Logger log = LoggerFactory.getLogger(EpochKeyFile.class);

    private EpochKeyFile() {}

    public static EpochKey read(Path file) {
        Map<String, String> values = KeyFileText.parse(file, MAGIC, List.of("device", "epoch", "key"));
        String deviceId = values.get("device");
        if (!DeviceIds.isValid(deviceId)) {
            throw new KeyFileException(file + ": 'device' is not a valid device id: a device id is " + DeviceIds.RULE);
        }
        int epoch;
        try {
            epoch = EpochRatchet.requireEpoch(Integer.parseInt(values.get("epoch")));
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(file + ": 'epoch' must be a number in 0.." + Integer.MAX_VALUE, e);
        }
        return EpochKey.adopt(deviceId, epoch, KeyFileText.decodeKey(file, values.get("key")));
    }

    /** Writes {@code key} to {@code file} with mode 0600, atomically and durably (temp file, fsync, rename). */
    public static void write(Path file, EpochKey key) {
        write(file, key, true);
    }

    /**
     * As {@link #write(Path, EpochKey)}; without {@code sync} nothing is forced to disk: the caller makes it durable
     * (provisioning syncs the whole fleet once at the end, before it reports success).
     */
    public static void write(Path file, EpochKey key, boolean sync) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("device", key.deviceId());
        fields.put("epoch", Integer.toString(key.epoch()));
        KeyFileText.write(file, MAGIC, fields, key.secret(), "epoch key of device " + key.deviceId(), sync);
    }

    /**
     * Moves the device to the next epoch: derives K_(e+1), makes it durable in {@code file}, then overwrites the
     * blocks that held K_e and destroys {@code current} in memory. The file must hold {@code current}.
     *
     * <p>The overwrite is best effort against someone who reads the disk later: a journaling file system or an SSD
     * may keep other copies. It does stop the old key being read back through any other link to the old file.
     */
    public static EpochKey advance(Path file, EpochKey current) {
        EpochKey onDisk = read(file);
        boolean same = onDisk.deviceId().equals(current.deviceId())
                && onDisk.epoch() == current.epoch()
                && onDisk.secret().equalsConstantTime(current.secret());
        onDisk.destroy();
        if (!same) {
            throw new KeyFileException(file + " does not hold the current epoch key of device " + current.deviceId()
                    + " epoch " + current.epoch() + "; refusing to advance");
        }
        EpochKey next = current.next();
        try (FileChannel old = FileChannel.open(file, StandardOpenOption.WRITE)) {
            write(file, next);
            DurableFiles.zeroFill(old);
        } catch (IOException e) {
            throw new KeyFileException(
                    "cannot erase the old epoch key of device " + current.deviceId() + " in " + file + ": "
                            + e.getMessage(),
                    e);
        }
        current.destroy();
        log.info("device {} advanced to epoch {} in {}", next.deviceId(), next.epoch(), file);
        return next;
    }
}
