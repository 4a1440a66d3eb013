package dev.doorbell.owner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The uplink's checkpoint, {@code STORE/checkpoint} (docs/FORMAT.md §6): two 4096-byte slots, each naming the
 * newest segment with its committed length and record count. The valid slot with the higher sequence counts.
 */
record Checkpoint(long sequence, long segment, long length, long records) {
    static final String FILE = "checkpoint";
    static final int SLOT_BYTES = 4096;
    private static final byte[] MAGIC = "DBCKPT01".getBytes(StandardCharsets.US_ASCII);
    private static final int CHECKED_BYTES = 40;

    /** A checkpoint read from disk, or why there is none. */
    record Read(Checkpoint checkpoint, String problem) {}

    static Read read(Path storeDir) throws IOException {
        byte[] file;
        try {
            file = Files.readAllBytes(storeDir.resolve(FILE));
        } catch (NoSuchFileException e) {
            return new Read(null, "STORE/checkpoint is missing");
        }
        Checkpoint best = null;
        String[] problems = new String[2];
        for (int slot = 0; slot < 2; slot++) {
            int at = slot * SLOT_BYTES;
            if (file.length < at + CHECKED_BYTES + 4) {
                problems[slot] = "slot " + slot + " cut short (the file has " + file.length + " bytes)";
                continue;
            }
            if (!Arrays.equals(file, at, at + MAGIC.length, MAGIC, 0, MAGIC.length)) {
                problems[slot] = "slot " + slot + " has no DBCKPT01 magic";
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(file, at, SLOT_BYTES).slice();
            CRC32C crc = new CRC32C();
            crc.update(file, at, CHECKED_BYTES);
            if ((int) crc.getValue() != b.getInt(CHECKED_BYTES)) {
                problems[slot] = "slot " + slot + " fails its CRC32C";
                continue;
            }
            Checkpoint c = new Checkpoint(b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32));
            // Equal sequences cannot come from the uplink; the slot the sequence belongs in wins, so every reader
            // agrees.
            if (best == null
                    || Long.compareUnsigned(c.sequence, best.sequence) > 0
                    || (c.sequence == best.sequence && Long.remainderUnsigned(c.sequence, 2) == slot)) {
                best = c;
            }
        }
        if (best == null) {
            return new Read(null, "no valid slot in STORE/checkpoint (" + problems[0] + "; " + problems[1] + ")");
        }
        return new Read(best, null);
    }
}
