package dev.doorbell.uplink.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.StoredFrame;
import dev.doorbell.proto.v1.StoredRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The writer's queue: batches in the order records were accepted, within the store's record and byte bounds. */
class BatchQueueTest {
    /** Every record this test made, in order: a record is named by its place here. */
    private final List<PendingRecord> made = new ArrayList<>();

    /** A frame record with {@code sealed} sealed bytes, so that records of one size frame to the same bytes. */
    private PendingRecord frame(int sealed) {
        PendingRecord record = new PendingRecord(
                null,
                StoredRecord.newBuilder()
                        .setFrame(StoredFrame.newBuilder()
                                .setDeviceId("porch")
                                .setClipId(1)
                                .setSeq(1)
                                .setSealed(ByteString.copyFrom(new byte[sealed])))
                        .build());
        made.add(record);
        return record;
    }

    /** Which records, by the order in which they were made. */
    private List<Integer> names(List<PendingRecord> records) {
        return records.stream().map(made::indexOf).toList();
    }

    private List<PendingRecord> addFrames(BatchQueue queue, int count, int sealed) {
        List<PendingRecord> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PendingRecord record = frame(sealed);
            queue.add(record);
            added.add(record);
        }
        return added;
    }

    @Test
    void takeBatch_moreThanMaxRecordsQueued_batchesInAcceptedOrderOfAtMostMaxRecords() {
        BatchQueue queue = new BatchQueue(3, Long.MAX_VALUE);
        addFrames(queue, 7, 10);
        List<List<Integer>> batches = new ArrayList<>();
        while (!queue.isEmpty()) {
            List<PendingRecord> batch = queue.takeBatch();
            batches.add(names(batch));
            assertTrue(queue.written(batch));
        }
        assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4, 5), List.of(6)), batches);
    }

    @Test
    void takeBatch_byteBound_stopsBeforeTheRecordThatWouldPassItAndTakesOneExactlyAtIt() {
        long size = BatchQueue.framedBytes(frame(100));
        made.clear();
        BatchQueue queue = new BatchQueue(100, 2 * size);
        addFrames(queue, 5, 100);
        List<PendingRecord> first = queue.takeBatch();
        assertEquals(List.of(0, 1), names(first), "two records fill the bound exactly; a third would pass it");
        queue.written(first);
        assertEquals(List.of(2, 3), names(queue.takeBatch()));

        BatchQueue tighter = new BatchQueue(100, 3 * size - 1);
        addFrames(tighter, 5, 100);
        assertEquals(List.of(5, 6), names(tighter.takeBatch()), "a byte short of three records");
    }

    @Test
    void takeBatch_recordLargerThanTheByteBound_goesAlone() {
        BatchQueue queue = new BatchQueue(100, 64);
        addFrames(queue, 3, 1000);
        for (int i = 0; i < 3; i++) {
            List<PendingRecord> batch = queue.takeBatch();
            assertEquals(List.of(i), names(batch));
            queue.written(batch);
        }
        assertTrue(queue.isEmpty());
    }

    @Test
    void takeBatch_whileABatchIsBeingWrittenOrNothingQueued_refused() {
        BatchQueue queue = new BatchQueue(1, Long.MAX_VALUE);
        assertThrows(IllegalStateException.class, queue::takeBatch, "nothing is queued");
        addFrames(queue, 2, 10);
        queue.takeBatch();
        assertThrows(IllegalStateException.class, queue::takeBatch, "one batch is written at a time");
    }

    @Test
    void fullBatchQueued_byRecordsOrBytes_trueOnlyWhenWaitingCouldNotEnlargeTheBatch() {
        long size = BatchQueue.framedBytes(frame(100));
        BatchQueue byCount = new BatchQueue(3, Long.MAX_VALUE);
        addFrames(byCount, 2, 100);
        assertFalse(byCount.fullBatchQueued(), "room for a third record");
        byCount.add(frame(100));
        assertTrue(byCount.fullBatchQueued());

        BatchQueue byBytes = new BatchQueue(100, 2 * size);
        addFrames(byBytes, 2, 100);
        assertFalse(
                byBytes.fullBatchQueued(),
                "at the bound, not past it: the writer waits for a record that does not fit");
        byBytes.add(frame(100));
        assertTrue(byBytes.fullBatchQueued(), "a third record does not fit: the batch is complete");

        BatchQueue oversized = new BatchQueue(100, 64);
        oversized.add(frame(1000));
        assertFalse(oversized.fullBatchQueued(), "a record alone waits for company, larger than the bound or not");
        oversized.add(frame(10));
        assertTrue(oversized.fullBatchQueued());
    }

    @Test
    void fullBatchQueued_afterBatchesWereTaken_countsOnlyWhatIsStillQueued() {
        long size = BatchQueue.framedBytes(frame(100));
        BatchQueue queue = new BatchQueue(100, 2 * size);
        addFrames(queue, 3, 100);
        queue.written(queue.takeBatch());
        queue.add(frame(100));
        assertFalse(queue.fullBatchQueued(), "two records queued fit the bound: the two taken no longer count");
    }

    @Test
    void drain_whileABatchIsBeingWritten_takesItBackFirstThenTheQueueAndTheWriterIsTold() {
        BatchQueue queue = new BatchQueue(2, Long.MAX_VALUE);
        List<PendingRecord> all = addFrames(queue, 5, 10);
        List<PendingRecord> writing = queue.takeBatch();
        assertEquals(all, queue.drain(), "log order: the batch being written, then the queue");
        assertTrue(queue.isEmpty());
        assertFalse(queue.written(writing), "a batch taken back is failed already and never made durable");
        assertEquals(List.of(), queue.drain());

        addFrames(queue, 1, 10);
        assertFalse(queue.fullBatchQueued(), "nothing of before the failure counts any more");
        List<PendingRecord> next = queue.takeBatch();
        assertTrue(queue.written(next));
    }
}
