package dev.doorbell.uplink.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.StoredFrame;
import dev.doorbell.proto.v1.StoredRecord;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SegmentFormatTest {
    @Test
    void frameInto_severalRecords_bodiesAreTheSerializedBytesBehindLengthAndCrc() throws Exception {
        Random random = new Random(3);
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        StoredRecord[] records = new StoredRecord[5];
        for (int i = 0; i < records.length; i++) {
            byte[] payload = new byte[1 + random.nextInt(70_000)];
            random.nextBytes(payload);
            records[i] = StoredRecord.newBuilder()
                    .setFrame(StoredFrame.newBuilder()
                            .setDeviceId("porch-" + i)
                            .setClipId(i + 1)
                            .setSeq(i)
                            .setSealed(ByteString.copyFrom(payload)))
                    .build();
            assertEquals(
                    SegmentFormat.RECORD_HEADER_BYTES + records[i].getSerializedSize(),
                    SegmentFormat.frameInto(buffer, records[i]));
        }
        buffer.flip();
        for (StoredRecord record : records) {
            byte[] expected = record.toByteArray();
            assertEquals(expected.length, buffer.getInt());
            assertEquals(SegmentFormat.crc32c(expected, 0, expected.length), buffer.getInt());
            byte[] body = new byte[expected.length];
            buffer.get(body);
            assertArrayEquals(expected, body, "record of " + record.getFrame().getDeviceId());
        }
        assertEquals(0, buffer.remaining());
    }
}
