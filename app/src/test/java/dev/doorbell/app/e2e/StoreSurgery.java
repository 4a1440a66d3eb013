package dev.doorbell.app.e2e;

import dev.doorbell.proto.v1.StoredRecord;
import dev.doorbell.proto.v1.StoredSegmentStart;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * What a careful, hostile operator of a stopped uplink can do to its store (docs/FORMAT.md §6): rewrite every segment
 * without one clip's records, with correct CRCs, start records that name the rewritten lengths and record counts, and
 * a checkpoint (both slots) that commits exactly what is left, so that the store itself looks whole to every reader.
 */
final class StoreSurgery {
    private static final byte[] SEGMENT_MAGIC = "DBSTORE1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHECKPOINT_MAGIC = "DBCKPT01".getBytes(StandardCharsets.US_ASCII);
    private static final int SLOT_BYTES = 4096;

    private StoreSurgery() {}

    /** Removes every record of the clip; returns how many records were removed. */
    static int removeClip(Path store, String deviceId, long clipId) throws IOException {
        return remove(store, r -> belongs(r, deviceId, clipId));
    }

    /**
     * Removes the clip's frames from {@code fromSeq} on and its close, as a segment cut short at a record boundary
     * would; returns how many records were removed.
     */
    static int removeFramesFrom(Path store, String deviceId, long clipId, int fromSeq) throws IOException {
        return remove(
                store,
                r -> belongs(r, deviceId, clipId)
                        && (r.hasClipClose() || r.hasFrame() && r.getFrame().getSeq() >= fromSeq));
    }

    private static int remove(Path store, Predicate<StoredRecord> removed) throws IOException {
        List<Path> segments;
        try (Stream<Path> files = Files.list(store.resolve("segments"))) {
            segments = files.filter(p -> p.getFileName().toString().endsWith(".seg"))
                    .sorted()
                    .toList();
        }
        int count = 0;
        long previousNumber = 0;
        long previousLength = 0;
        long previousRecords = 0;
        for (Path segment : segments) {
            long number = Long.parseLong(segment.getFileName().toString().replace(".seg", ""));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(SEGMENT_MAGIC);
            long records = 0;
            for (StoredRecord r : records(segment)) {
                if (removed.test(r)) {
                    count++;
                    continue;
                }
                if (r.hasSegmentStart()) {
                    r = StoredRecord.newBuilder()
                            .setSegmentStart(StoredSegmentStart.newBuilder(r.getSegmentStart())
                                    .setPreviousSegment(previousNumber)
                                    .setPreviousLength(previousLength)
                                    .setPreviousRecords(previousRecords))
                            .build();
                }
                byte[] body = r.toByteArray();
                CRC32C crc = new CRC32C();
                crc.update(body);
                out.writeBytes(ByteBuffer.allocate(8)
                        .putInt(body.length)
                        .putInt((int) crc.getValue())
                        .array());
                out.writeBytes(body);
                records++;
            }
            Files.write(segment, out.toByteArray());
            previousNumber = number;
            previousLength = out.size();
            previousRecords = records;
        }
        writeCheckpoint(store.resolve("checkpoint"), previousNumber, previousLength, previousRecords);
        return count;
    }

    private static boolean belongs(StoredRecord r, String deviceId, long clipId) {
        return switch (r.getBodyCase()) {
            case CLIP_OPEN ->
                r.getClipOpen().getDeviceId().equals(deviceId)
                        && r.getClipOpen().getClipId() == clipId;
            case FRAME ->
                r.getFrame().getDeviceId().equals(deviceId) && r.getFrame().getClipId() == clipId;
            case CLIP_CLOSE ->
                r.getClipClose().getDeviceId().equals(deviceId)
                        && r.getClipClose().getClipId() == clipId;
            default -> false;
        };
    }

    /** The records of a segment, up to its end or the zero padding after its last record. */
    private static List<StoredRecord> records(Path segment) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
        byte[] magic = new byte[SEGMENT_MAGIC.length];
        bytes.get(magic);
        if (!Arrays.equals(magic, SEGMENT_MAGIC)) {
            throw new IOException(segment + " is not a segment");
        }
        List<StoredRecord> records = new ArrayList<>();
        while (bytes.remaining() >= 8) {
            int length = bytes.getInt();
            int crc = bytes.getInt();
            if (length == 0 && crc == 0) {
                break;
            }
            byte[] body = new byte[length];
            bytes.get(body);
            records.add(StoredRecord.parseFrom(body));
        }
        return records;
    }

    private static void writeCheckpoint(Path file, long segment, long length, long records) throws IOException {
        long sequence = 0;
        byte[] old = Files.readAllBytes(file);
        for (int slot = 0; slot < 2; slot++) {
            ByteBuffer b = ByteBuffer.wrap(old, slot * SLOT_BYTES, SLOT_BYTES);
            byte[] magic = new byte[8];
            b.get(magic);
            if (Arrays.equals(magic, CHECKPOINT_MAGIC)) {
                sequence = Math.max(sequence, b.getLong());
            }
        }
        byte[] checkpoint = new byte[2 * SLOT_BYTES];
        for (long s = sequence + 1; s <= sequence + 2; s++) {
            ByteBuffer slot = ByteBuffer.wrap(checkpoint, (int) (s % 2) * SLOT_BYTES, SLOT_BYTES);
            slot.put(CHECKPOINT_MAGIC)
                    .putLong(s)
                    .putLong(segment)
                    .putLong(length)
                    .putLong(records);
            CRC32C crc = new CRC32C();
            crc.update(checkpoint, (int) (s % 2) * SLOT_BYTES, 40);
            slot.putInt((int) crc.getValue());
        }
        Files.write(file, checkpoint);
    }
}
