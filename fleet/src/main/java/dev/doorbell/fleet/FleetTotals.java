package dev.doorbell.fleet;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The counts of a fleet run (or of several, added), as report.json keeps them.
 *
 * @param devices devices in the run
 * @param connectFailures devices never welcomed within the connect timeout
 * @param connects Welcomes received, reconnects included
 * @param clips clips opened
 * @param framesSent frames handed to the links
 * @param framesPersisted frames acknowledged PERSISTED (the latency histogram's count)
 * @param bytesPersisted sealed bytes of those frames
 * @param refused clip headers or frames a link refused (buffer full or closed)
 * @param uplinkErrors Error messages from the uplink
 * @param unpersisted frames sent but not PERSISTED when the run ended (drain timed out)
 * @param seconds length of the run, ramp included, to the end of the drain; for runs added up, the length of the
 *     union of their spans
 * @param reconnects Welcomes after a device's first (connects minus devices ever welcomed)
 * @param lostAcked frames acknowledged PERSISTED that a later Welcome no longer counted: lost by the uplink
 * @param skipped frames of a constant rate not sent because their device had its frames in flight already
 */
public record FleetTotals(
        long devices,
        long connectFailures,
        long connects,
        long clips,
        long framesSent,
        long framesPersisted,
        long bytesPersisted,
        long refused,
        long uplinkErrors,
        long unpersisted,
        double seconds,
        long reconnects,
        long lostAcked,
        long skipped) {

    /** The counts of a run without skipped frames (Poisson clips, saturation), as reports before skipping had them. */
    public FleetTotals(
            long devices,
            long connectFailures,
            long connects,
            long clips,
            long framesSent,
            long framesPersisted,
            long bytesPersisted,
            long refused,
            long uplinkErrors,
            long unpersisted,
            double seconds,
            long reconnects,
            long lostAcked) {
        this(
                devices,
                connectFailures,
                connects,
                clips,
                framesSent,
                framesPersisted,
                bytesPersisted,
                refused,
                uplinkErrors,
                unpersisted,
                seconds,
                reconnects,
                lostAcked,
                0);
    }

    /** Counts added; {@code seconds} is the longer one's until the merge sets the union of the runs' spans. */
    FleetTotals plus(FleetTotals o) {
        return new FleetTotals(
                devices + o.devices,
                connectFailures + o.connectFailures,
                connects + o.connects,
                clips + o.clips,
                framesSent + o.framesSent,
                framesPersisted + o.framesPersisted,
                bytesPersisted + o.bytesPersisted,
                refused + o.refused,
                uplinkErrors + o.uplinkErrors,
                unpersisted + o.unpersisted,
                Math.max(seconds, o.seconds),
                reconnects + o.reconnects,
                lostAcked + o.lostAcked,
                skipped + o.skipped);
    }

    /** The same counts over {@code newSeconds}: a merge's real timeline, the union of its runs' spans. */
    FleetTotals withSeconds(double newSeconds) {
        return new FleetTotals(
                devices,
                connectFailures,
                connects,
                clips,
                framesSent,
                framesPersisted,
                bytesPersisted,
                refused,
                uplinkErrors,
                unpersisted,
                newSeconds,
                reconnects,
                lostAcked,
                skipped);
    }

    /** Everything that went wrong with a frame or a clip: uplink errors, refusals and frames never persisted. */
    long errors() {
        return refused + uplinkErrors + unpersisted;
    }

    double errorRate() {
        return framesSent == 0 ? (errors() == 0 ? 0 : 1) : (double) errors() / framesSent;
    }

    double connectFailureRate() {
        return devices == 0 ? 0 : (double) connectFailures / devices;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("devices", devices);
        m.put("connectFailures", connectFailures);
        m.put("connects", connects);
        m.put("clips", clips);
        m.put("framesSent", framesSent);
        m.put("framesPersisted", framesPersisted);
        m.put("bytesPersisted", bytesPersisted);
        m.put("refused", refused);
        m.put("uplinkErrors", uplinkErrors);
        m.put("unpersisted", unpersisted);
        m.put("seconds", seconds);
        m.put("reconnects", reconnects);
        m.put("lostAcked", lostAcked);
        m.put("skipped", skipped);
        return m;
    }

    static FleetTotals fromMap(Map<?, ?> m) {
        return new FleetTotals(
                n(m, "devices"),
                n(m, "connectFailures"),
                n(m, "connects"),
                n(m, "clips"),
                n(m, "framesSent"),
                n(m, "framesPersisted"),
                n(m, "bytesPersisted"),
                n(m, "refused"),
                n(m, "uplinkErrors"),
                n(m, "unpersisted"),
                ((Number) m.get("seconds")).doubleValue(),
                optional(m, "reconnects"),
                optional(m, "lostAcked"),
                optional(m, "skipped"));
    }

    /** Counts that reports written before they existed lack: 0 there, so that old and new reports still merge. */
    private static long optional(Map<?, ?> m, String key) {
        return m.containsKey(key) ? n(m, key) : 0;
    }

    private static long n(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number number)) {
            throw new IllegalArgumentException("report.json totals lack the number '" + key + "'");
        }
        return number.longValue();
    }
}
