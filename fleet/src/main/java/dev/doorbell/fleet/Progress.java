package dev.doorbell.fleet;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * One second of a fleet run: gauges (connected, connecting, failed, open clips, buffered bytes) and what happened in
 * the second (frames sent and persisted, persisted bytes, and the second's latency histogram). Worker processes
 * print these as JSON lines with the histogram inside, so that the parent adds seconds exactly, p99 included.
 */
record Progress(
        long second,
        long connected,
        long connecting,
        long failed,
        long openClips,
        long framesSent,
        long framesPersisted,
        long bytesPersisted,
        long bufferedBytes,
        Histogram latencyMicros) {

    static Histogram emptyHistogram() {
        return new Histogram(FleetMetrics.MAX_LATENCY_MICROS, 3);
    }

    /** The sum of two processes' same second; the histograms are added, not averaged. */
    Progress plus(Progress o) {
        Histogram sum = emptyHistogram();
        sum.add(latencyMicros);
        sum.add(o.latencyMicros);
        return new Progress(
                Math.max(second, o.second),
                connected + o.connected,
                connecting + o.connecting,
                failed + o.failed,
                openClips + o.openClips,
                framesSent + o.framesSent,
                framesPersisted + o.framesPersisted,
                bytesPersisted + o.bytesPersisted,
                bufferedBytes + o.bufferedBytes,
                sum);
    }

    double p99Millis() {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(99) / 1000.0;
    }

    /** The line people read, once a second. */
    String text() {
        return String.format(
                "%5ds connected %d connecting %d failed %d open-clips %d | sent %d/s persisted %d/s "
                        + "%.2f MB/s | p99 %.1f ms | buffered %.1f MB",
                second,
                connected,
                connecting,
                failed,
                openClips,
                framesSent,
                framesPersisted,
                bytesPersisted / 1e6,
                p99Millis(),
                bufferedBytes / 1e6);
    }

    /** One JSON line, the latency histogram compressed and in Base64. */
    String json() {
        ByteBuffer buffer = ByteBuffer.allocate(latencyMicros.getNeededByteBufferCapacity());
        int length = latencyMicros.encodeIntoCompressedByteBuffer(buffer);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("second", second);
        m.put("connected", connected);
        m.put("connecting", connecting);
        m.put("failed", failed);
        m.put("openClips", openClips);
        m.put("framesSent", framesSent);
        m.put("framesPersisted", framesPersisted);
        m.put("bytesPersisted", bytesPersisted);
        m.put("bufferedBytes", bufferedBytes);
        m.put("latency", Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length)));
        return Json.write(m);
    }

    static Progress parse(String line) {
        Map<String, Object> m = Json.parseObject(line);
        Histogram latency;
        try {
            latency = Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode((String) m.get("latency"))), 0);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("the progress line's latency histogram does not decode", e);
        }
        return new Progress(
                num(m, "second"),
                num(m, "connected"),
                num(m, "connecting"),
                num(m, "failed"),
                num(m, "openClips"),
                num(m, "framesSent"),
                num(m, "framesPersisted"),
                num(m, "bytesPersisted"),
                num(m, "bufferedBytes"),
                latency);
    }

    private static long num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("progress line without a number '" + key + "'");
        }
        return n.longValue();
    }
}
