package dev.doorbell.tier;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The object names of uplink stores shipped to S3 (docs/FORMAT.md §6, "Shipped to S3"). Under {@code s3://B/P}, each
 * uplink store has its own folder named by its instance id, made once by its shipper and kept in the store:
 *
 * <pre>
 *   P/&lt;instance&gt;/segments/0000000001.seg   a closed segment, byte for byte as in the store
 *   P/&lt;instance&gt;/checkpoint                a checkpoint file naming the newest shipped segment
 *   P/&lt;instance&gt;/doorbell-store            the marker, written once the first segment and checkpoint are there
 *   P/&lt;instance&gt;/retention/ledger          the store's retention ledger, put again whole each time it changed
 *   P/&lt;instance&gt;/retention/requests/0000000001.req   an owner's request the ledger cites, byte for byte
 * </pre>
 *
 * <p>So any number of uplinks share a bucket and a prefix without coordination, and the folder of one instance reads
 * as a stopped store whose newest segment is its newest shipped one.
 */
public final class ShippedStore {
    public static final String MARKER = "doorbell-store";
    public static final String CHECKPOINT = "checkpoint";
    public static final String SEGMENTS = "segments";
    public static final String RETENTION = "retention";
    public static final String LEDGER = "ledger";
    public static final String REQUESTS = "requests";
    /** Lower-case hex digits and hyphens: a random UUID as the shipper makes it. */
    private static final Pattern INSTANCE = Pattern.compile("[0-9a-f-]{8,64}");

    private static final Pattern REQUEST = Pattern.compile("\\d{10}\\.req");
    private static final Pattern SEGMENT = Pattern.compile("\\d{10}\\.seg");
    private static final byte[] CHECKPOINT_MAGIC = "DBCKPT01".getBytes(StandardCharsets.US_ASCII);
    private static final int SLOT_BYTES = 4096;
    private static final int CRC_OFFSET = 40;

    private ShippedStore() {}

    public static boolean isInstanceId(String name) {
        return INSTANCE.matcher(name).matches() && !name.startsWith("-");
    }

    public static boolean isSegmentName(String name) {
        return SEGMENT.matcher(name).matches() && segmentNumber(name) > 0;
    }

    /** An owner's request as the uplink keeps it in {@code retention/requests/}. */
    public static boolean isRequestName(String name) {
        return REQUEST.matcher(name).matches();
    }

    public static long segmentNumber(String name) {
        return Long.parseLong(name.substring(0, 10));
    }

    public static String segmentKey(S3Location root, String instance, String segmentName) {
        return root.key(instance + "/" + SEGMENTS + "/" + segmentName);
    }

    public static String checkpointKey(S3Location root, String instance) {
        return root.key(instance + "/" + CHECKPOINT);
    }

    public static String ledgerKey(S3Location root, String instance) {
        return root.key(instance + "/" + RETENTION + "/" + LEDGER);
    }

    public static String requestKey(S3Location root, String instance, String requestName) {
        return root.key(instance + "/" + RETENTION + "/" + REQUESTS + "/" + requestName);
    }

    public static String markerKey(S3Location root, String instance) {
        return root.key(instance + "/" + MARKER);
    }

    /**
     * The segment the valid slot with the higher sequence names (docs/FORMAT.md §6, "The checkpoint"), or -1 when no
     * slot is valid.
     */
    public static long checkpointSegment(byte[] file) {
        long bestSequence = -1;
        long segment = -1;
        for (int slot = 0; slot < 2; slot++) {
            int at = slot * SLOT_BYTES;
            if (file.length < at + CRC_OFFSET + 4
                    || !Arrays.equals(file, at, at + CHECKPOINT_MAGIC.length, CHECKPOINT_MAGIC, 0, 8)) {
                continue;
            }
            CRC32C crc = new CRC32C();
            crc.update(file, at, CRC_OFFSET);
            ByteBuffer b = ByteBuffer.wrap(file, at, SLOT_BYTES).slice();
            if ((int) crc.getValue() == b.getInt(CRC_OFFSET) && b.getLong(8) > bestSequence) {
                bestSequence = b.getLong(8);
                segment = b.getLong(16);
            }
        }
        return segment;
    }
}
