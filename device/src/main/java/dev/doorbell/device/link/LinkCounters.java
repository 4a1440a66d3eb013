package dev.doorbell.device.link;

import dev.doorbell.proto.v1.ErrorCode;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Written on the event loop, read from any thread by {@link LinkClient#stats()}. */
final class LinkCounters {
    final LongAdder framesSent = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder framesReceivedAcked = new LongAdder();
    final LongAdder framesPersisted = new LongAdder();
    final LongAdder framesRetransmitted = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final LongAdder droppedClips = new LongAdder();
    final LongAdder failedClips = new LongAdder();
    final LongAdder clipsPersisted = new LongAdder();
    private final Map<ErrorCode, LongAdder> errors = new ConcurrentHashMap<>();

    void error(ErrorCode code) {
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    LinkStats snapshot(AtomicLong bufferedBytes) {
        Map<ErrorCode, Long> byCode = new EnumMap<>(ErrorCode.class);
        errors.forEach((code, n) -> byCode.put(code, n.sum()));
        return new LinkStats(
                framesSent.sum(),
                bytesSent.sum(),
                framesReceivedAcked.sum(),
                framesPersisted.sum(),
                framesRetransmitted.sum(),
                reconnects.sum(),
                byCode,
                bufferedBytes.get(),
                droppedClips.sum(),
                failedClips.sum(),
                clipsPersisted.sum());
    }
}
