package dev.doorbell.uplink.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the index keeps in memory per closed clip beyond the most recently closed, measured as retained heap after a
 * full GC: 200,000 clips of 100 devices, each with a header of the size a v3 header with a few HPKE recipients has.
 * Also checks the figures the index reports on /metrics against the heap.
 */
class IndexMemoryTest {
    private static final int DEVICES = 100;
    private static final int CLIPS_PER_DEVICE = 2_000;
    private static final int FRAMES = 3;
    private static final int HEADER_BYTES = 1_024;
    private static final int RECENT = 4_096;
    /** The target per clip in compact form: no header bytes, no per-frame data. */
    private static final long MAX_BYTES_PER_CLIP = 64;

    @Test
    void twoHundredThousandClosedClips_beyondTheRecentOnes_costAtMostSixtyFourBytesEach() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        int clips = DEVICES * CLIPS_PER_DEVICE;
        long before = retainedHeap(memory);
        ClipIndex allCompact = load(0);
        long compactHeap = retainedHeap(memory) - before;
        IndexUse counted = allCompact.indexUse();
        assertEquals(new IndexUse(0, 0, clips, counted.compactBytes()), counted);
        assertEquals(clips, allCompact.size(), "the index stays reachable until measured");
        allCompact = null;

        before = retainedHeap(memory);
        ClipIndex defaults = load(RECENT);
        long defaultHeap = retainedHeap(memory) - before;
        IndexUse use = defaults.indexUse();
        assertEquals(clips, defaults.size(), "the index stays reachable until measured");
        System.out.printf(
                "%d closed clips (%d-byte headers, %d frames each): all compact %d bytes retained (%d per clip, %d"
                        + " counted by the index); with the %d most recent in full form %d bytes retained (%s)%n",
                clips,
                HEADER_BYTES,
                FRAMES,
                compactHeap,
                compactHeap / clips,
                counted.compactBytes() / clips,
                RECENT,
                defaultHeap,
                use);
        assertTrue(compactHeap / clips <= MAX_BYTES_PER_CLIP, compactHeap / clips + " bytes per compact clip");
        assertTrue(
                Math.abs(compactHeap - counted.compactBytes()) < compactHeap / 10,
                "the index counts " + counted.compactBytes() + " bytes, the heap holds " + compactHeap);
        long estimated = use.fullBytes() + use.compactBytes();
        assertTrue(
                Math.abs(defaultHeap - estimated) < defaultHeap / 5,
                "the index estimates " + estimated + " bytes, the heap holds " + defaultHeap);
    }

    private static ClipIndex load(int recent) {
        ClipIndex index = new ClipIndex(recent);
        ByteString meta = ByteString.copyFrom(new byte[12]);
        ByteString sealed = ByteString.copyFrom(new byte[64]);
        long offset = 0;
        long segment = 1;
        for (int c = 0; c < CLIPS_PER_DEVICE; c++) {
            for (int d = 0; d < DEVICES; d++) {
                String device = String.format("device-%04d", d);
                long clipId = 1_000_000L + c;
                byte[] header = StoreFixtures.bytes(clipId * DEVICES + d, HEADER_BYTES);
                offset = durable(index, index.openClip(device, clipId, header, List.of(), 1000L + c), segment, offset);
                for (int seq = 0; seq < FRAMES; seq++) {
                    offset = durable(
                            index,
                            index.appendFrame(device, clipId, seq, seq == FRAMES - 1, meta, sealed, 1000L + c),
                            segment,
                            offset);
                }
                offset = durable(index, index.closeClip(device, clipId, FRAMES, 1000L + c), segment, offset);
                if (offset > 64L << 20) {
                    segment++;
                    offset = 0;
                }
            }
        }
        return index;
    }

    private static long durable(ClipIndex index, ClipIndex.Decision decision, long segment, long offset) {
        PendingRecord pending = decision.queued();
        assertEquals(
                Outcome.ACCEPTED,
                decision.submission().outcome(),
                decision.submission().detail());
        int length = pending.record.getSerializedSize() + SegmentFormat.RECORD_HEADER_BYTES;
        pending.segment = segment;
        pending.offset = offset;
        pending.length = length;
        index.markDurable(pending);
        return offset + length;
    }

    /** Heap used after full collections, once two in a row agree within 1 %. */
    private static long retainedHeap(MemoryMXBean memory) {
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(previous - used) < previous / 100) {
                return used;
            }
            previous = used;
        }
        return previous;
    }
}
