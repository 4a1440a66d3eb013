package dev.doorbell.device.link;

import dev.doorbell.proto.v1.ErrorCode;
import java.util.Map;

/**
 * A snapshot of one link's counters since the client was made.
 *
 * @param framesSent Frame messages written, retransmissions included
 * @param bytesSent sealed bytes of those frames
 * @param framesReceivedAcked frames newly covered by RECEIVED acks
 * @param framesPersisted frames newly covered by PERSISTED acks (or by resume points in Welcome)
 * @param framesRetransmitted frames written again after a reconnect
 * @param reconnects connection attempts after the first
 * @param errorsByCode Error messages received (and raised locally), by code
 * @param bufferedBytes header, meta and sealed bytes kept now, waiting for PERSISTED
 * @param droppedClips clips dropped by {@link BufferPolicy#DROP_OLDEST_CLIP}
 * @param failedClips clips dropped after a non-retriable error
 * @param clipsPersisted clips whose every frame and close are durable
 */
public record LinkStats(
        long framesSent,
        long bytesSent,
        long framesReceivedAcked,
        long framesPersisted,
        long framesRetransmitted,
        long reconnects,
        Map<ErrorCode, Long> errorsByCode,
        long bufferedBytes,
        long droppedClips,
        long failedClips,
        long clipsPersisted) {

    public LinkStats {
        errorsByCode = Map.copyOf(errorsByCode);
    }

    public long errors(ErrorCode code) {
        return errorsByCode.getOrDefault(code, 0L);
    }
}
