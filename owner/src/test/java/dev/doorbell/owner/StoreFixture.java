package dev.doorbell.owner;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.StoredClipClose;
import dev.doorbell.proto.v1.StoredClipOpen;
import dev.doorbell.proto.v1.StoredFrame;
import dev.doorbell.proto.v1.StoredRecord;
import dev.doorbell.proto.v1.StoredSegmentStart;
import dev.doorbell.seal.SealedFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * Writes uplink stores byte for byte as docs/FORMAT.md §6 and STORE-SPEC give them (v1, and v2 with start records
 * and the checkpoint), so that reader tests can build any store, damaged ones included, without the uplink.
 * Records go to the newest segment; {@link #write()} puts the files on disk; the damage helpers then change them.
 */
final class StoreFixture {
    static final int SLOT_BYTES = 4096;

    private final Path dir;
    private int version;
    private final List<Segment> segments = new ArrayList<>();
    private long checkpointSequence;
    private final byte[] checkpoint = new byte[2 * SLOT_BYTES];
    private boolean checkpointWritten;

    /** One segment file being built: its bytes and how many records it holds. */
    static final class Segment {
        final long number;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long records;

        Segment(long number) {
            this.number = number;
            bytes.writeBytes(StoreDirectoryReader.SEGMENT_MAGIC);
        }

        long length() {
            return bytes.size();
        }
    }

    private StoreFixture(Path dir, int version) {
        this.dir = dir;
        this.version = version;
    }

    static StoreFixture v1(Path dir) {
        return new StoreFixture(dir, 1);
    }

    /** A v2 store; its first segment, numbered 1, is started at once (the uplink creates it with the store). */
    static StoreFixture v2(Path dir) {
        StoreFixture store = new StoreFixture(dir, 2);
        store.startSegment();
        return store;
    }

    /**
     * What an uplink of this version does to a v1 store it opens: later segments get start records (the first one
     * naming the last v1 segment) and the marker says v2.
     */
    void upgradeToV2() {
        version = 2;
    }

    Path dir() {
        return dir;
    }

    Path segmentPath(long number) {
        return dir.resolve("segments").resolve(String.format("%010d.seg", number));
    }

    /** Starts the next segment; in a v2 store with its start record naming the previous segment as it is now. */
    Segment startSegment() {
        Segment previous = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        return startSegment(previous == null ? 1 : previous.number + 1);
    }

    /** Starts segment {@code number}; the start record names the previous segment built here (0 when none). */
    Segment startSegment(long number) {
        Segment previous = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        Segment segment = new Segment(number);
        segments.add(segment);
        if (version == 2) {
            append(
                    segment,
                    StoredRecord.newBuilder()
                            .setSegmentStart(StoredSegmentStart.newBuilder()
                                    .setSegment(number)
                                    .setPreviousSegment(previous == null ? 0 : previous.number)
                                    .setPreviousLength(previous == null ? 0 : previous.length())
                                    .setPreviousRecords(previous == null ? 0 : previous.records)
                                    .setCreatedUnixMs(1_750_000_000_000L + number))
                            .build());
        }
        return segment;
    }

    Segment newest() {
        return segments.get(segments.size() - 1);
    }

    /** Appends a record to the newest segment; returns its offset there. */
    long add(StoredRecord record) {
        return append(newest(), record);
    }

    /** Appends raw bytes to the newest segment (zero padding, garbage, a torn record); returns their offset. */
    long addRaw(byte[] bytes) {
        long offset = newest().length();
        newest().bytes.writeBytes(bytes);
        return offset;
    }

    long addOpen(String deviceId, long clipId, byte[] header) {
        return add(StoredRecord.newBuilder()
                .setClipOpen(StoredClipOpen.newBuilder()
                        .setDeviceId(deviceId)
                        .setClipId(clipId)
                        .setHeader(ByteString.copyFrom(header))
                        .setReceivedUnixMs(1))
                .build());
    }

    long addFrame(String deviceId, SealedFrame f) {
        return add(StoredRecord.newBuilder()
                .setFrame(StoredFrame.newBuilder()
                        .setDeviceId(deviceId)
                        .setClipId(f.clipId())
                        .setSeq(f.seq())
                        .setLast(f.last())
                        .setMeta(ByteString.copyFrom(f.meta()))
                        .setSealed(ByteString.copyFrom(f.sealed()))
                        .setReceivedUnixMs(2))
                .build());
    }

    long addClose(String deviceId, long clipId, int frames) {
        return add(StoredRecord.newBuilder()
                .setClipClose(StoredClipClose.newBuilder()
                        .setDeviceId(deviceId)
                        .setClipId(clipId)
                        .setFrameCount(frames)
                        .setReceivedUnixMs(3))
                .build());
    }

    /** Frames {@code from} (inclusive) to {@code to} of a clip, in order: a clip that spans segments, in parts. */
    void addFrames(SealedClips.Clip clip, int from, int to) {
        for (SealedFrame f : clip.frames().subList(from, to)) {
            addFrame(clip.deviceId(), f);
        }
    }

    /**
     * The header of a clip and its frames, a new segment started before each frame in {@code newSegmentAt}: a clip
     * that spans segments. No close: {@link #addClose} adds one where the clip was closed.
     */
    void addAcrossSegments(SealedClips.Clip clip, int... newSegmentAt) {
        addOpen(clip.deviceId(), clip.clipId(), clip.header());
        int from = 0;
        for (int at : newSegmentAt) {
            addFrames(clip, from, at);
            startSegment();
            from = at;
        }
        addFrames(clip, from, clip.frames().size());
    }

    /** Header, every frame and the close of a clip, in that order; returns the offset of each record. */
    List<Long> addClip(SealedClips.Clip clip) {
        List<Long> offsets = new ArrayList<>();
        offsets.add(addOpen(clip.deviceId(), clip.clipId(), clip.header()));
        for (SealedFrame f : clip.frames()) {
            offsets.add(addFrame(clip.deviceId(), f));
        }
        offsets.add(addClose(clip.deviceId(), clip.clipId(), clip.frames().size()));
        return offsets;
    }

    /** A checkpoint covering the newest segment as it is now, in the next slot (STORE-SPEC §3). */
    void checkpoint() {
        Segment newest = newest();
        checkpoint(newest.number, newest.length(), newest.records);
    }

    void checkpoint(long segment, long length, long records) {
        checkpointSequence++;
        byte[] slot = slot(checkpointSequence, segment, length, records);
        System.arraycopy(slot, 0, checkpoint, (int) (checkpointSequence % 2) * SLOT_BYTES, SLOT_BYTES);
        checkpointWritten = true;
    }

    static byte[] slot(long sequence, long segment, long length, long records) {
        ByteBuffer slot = ByteBuffer.allocate(SLOT_BYTES);
        slot.put("DBCKPT01".getBytes(StandardCharsets.US_ASCII))
                .putLong(sequence)
                .putLong(segment)
                .putLong(length)
                .putLong(records);
        CRC32C crc = new CRC32C();
        crc.update(slot.array(), 0, 40);
        slot.putInt(40, (int) crc.getValue());
        return slot.array();
    }

    /** Writes the marker, every segment and (v2, once made) the checkpoint. */
    StoreFixture write() throws IOException {
        Files.createDirectories(dir.resolve("segments"));
        Files.writeString(
                dir.resolve("doorbell-store"), "doorbell-store v" + version + "\n", StandardCharsets.US_ASCII);
        for (Segment segment : segments) {
            Files.write(segmentPath(segment.number), segment.bytes.toByteArray());
        }
        if (checkpointWritten) {
            Files.write(dir.resolve("checkpoint"), checkpoint);
        }
        return this;
    }

    private static long append(Segment segment, StoredRecord record) {
        long offset = segment.length();
        byte[] body = record.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body);
        segment.bytes.writeBytes(ByteBuffer.allocate(8)
                .putInt(body.length)
                .putInt((int) crc.getValue())
                .array());
        segment.bytes.writeBytes(body);
        segment.records++;
        return offset;
    }

    /** One record as FORMAT.md §6 frames it: u32be length, u32be CRC32C of the body, the body. */
    static byte[] framed(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body);
        return ByteBuffer.allocate(8 + body.length)
                .putInt(body.length)
                .putInt((int) crc.getValue())
                .put(body)
                .array();
    }

    /** A record in a segment file: where it starts, its body's length, and what it says. */
    record RecordAt(long offset, int length, StoredRecord record) {}

    /** The first record of the segment file that {@code matches}; fails naming {@code what} when there is none. */
    static RecordAt find(Path segment, String what, Predicate<StoredRecord> matches) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(segment));
        int offset = StoreDirectoryReader.SEGMENT_MAGIC.length;
        while (offset + 8 <= all.limit()) {
            byte[] body = new byte[all.getInt(offset)];
            all.get(offset + 8, body);
            StoredRecord record = StoredRecord.parseFrom(body);
            if (matches.test(record)) {
                return new RecordAt(offset, body.length, record);
            }
            offset += 8 + body.length;
        }
        throw new AssertionError("no " + what + " in " + segment);
    }

    static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x01);
        }
    }

    static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        }
    }
}
