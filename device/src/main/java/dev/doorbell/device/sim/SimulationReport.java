package dev.doorbell.device.sim;

import dev.doorbell.device.link.LinkStats;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a simulation did, per doorbell, and whether everything it sealed was made durable by the uplink;
 * {@code interruptedBy} names the signal that ended it early, or is null.
 */
public record SimulationReport(List<Row> rows, boolean drained, Duration elapsed, String interruptedBy) {

    /**
     * One doorbell's figures; {@code presses} counts doorbell presses, whether they started a clip or not; {@code
     * listVersion} is the version of the recipient list its last clip was sealed for (0: no clip).
     */
    public record Row(
            String deviceId,
            int clips,
            int presses,
            long framesSealed,
            long sealedBytes,
            long framesPersisted,
            int clipsPersisted,
            long listVersion,
            long reconnects,
            long errors,
            long droppedClips,
            long failedClips) {}

    public SimulationReport {
        rows = List.copyOf(rows);
    }

    static SimulationReport of(
            List<SimulatedDoorbell> doorbells, boolean drained, Duration elapsed, String interruptedBy) {
        List<Row> rows = new ArrayList<>();
        for (SimulatedDoorbell d : doorbells) {
            DoorbellCounters c = d.counters();
            LinkStats s = d.link().stats();
            long errors = s.errorsByCode().values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
            rows.add(new Row(
                    d.deviceId(),
                    c.clips.get(),
                    c.ringClips.get() + c.ringsDuringClips.get(),
                    c.framesSealed.get(),
                    c.sealedBytes.get(),
                    s.framesPersisted(),
                    (int) s.clipsPersisted(),
                    c.listVersion.get(),
                    s.reconnects(),
                    errors,
                    s.droppedClips(),
                    s.failedClips()));
        }
        return new SimulationReport(rows, drained, elapsed, interruptedBy);
    }

    /** True when every sealed clip reached the uplink's disk and nothing was dropped or refused. */
    public boolean complete() {
        return drained
                && rows.stream()
                        .allMatch(
                                r -> r.droppedClips() == 0 && r.failedClips() == 0 && r.clipsPersisted() == r.clips());
    }

    public boolean interrupted() {
        return interruptedBy != null;
    }

    public void print(PrintWriter out) {
        if (interrupted()) {
            out.printf(
                    "interrupted by %s after %.1f s: the cameras stopped early, open clips got their final frame and "
                            + "their acknowledgements were awaited%n",
                    interruptedBy, elapsed.toMillis() / 1000.0);
        }
        out.printf(
                "%-20s %6s %5s %8s %12s %10s %6s %10s %7s%n",
                "device", "clips", "rings", "frames", "sealed bytes", "persisted", "list", "reconnects", "errors");
        for (Row r : rows) {
            out.printf(
                    "%-20s %6d %5d %8d %12d %10d %6d %10d %7d%n",
                    r.deviceId(),
                    r.clips(),
                    r.presses(),
                    r.framesSealed(),
                    r.sealedBytes(),
                    r.framesPersisted(),
                    r.listVersion(),
                    r.reconnects(),
                    r.errors());
        }
        out.printf(
                "%s in %.1f s%n",
                complete()
                        ? "every sealed frame is PERSISTED on the uplink"
                        : "NOT everything was persisted (see the log above)",
                elapsed.toMillis() / 1000.0);
        out.flush();
    }
}
