package dev.doorbell.device.sim;

import dev.doorbell.device.link.LinkStats;
import java.io.PrintWriter;
import java.util.List;

/** One line of progress for the whole run: what the cameras sealed and what the uplink has made durable. */
final class Progress {
    private final List<SimulatedDoorbell> doorbells;
    private final PrintWriter out;
    private final long startedNanos;

    Progress(List<SimulatedDoorbell> doorbells, PrintWriter out, long startedNanos) {
        this.doorbells = doorbells;
        this.out = out;
        this.startedNanos = startedNanos;
    }

    void print(String phase) {
        long clips = 0;
        long open = 0;
        long rings = 0;
        long sealed = 0;
        long bytes = 0;
        long persisted = 0;
        long buffered = 0;
        long reconnects = 0;
        long errors = 0;
        for (SimulatedDoorbell d : doorbells) {
            DoorbellCounters c = d.counters();
            clips += c.clips.get();
            open += c.openClips.get();
            rings += c.ringClips.get();
            sealed += c.framesSealed.get();
            bytes += c.sealedBytes.get();
            LinkStats s = d.link().stats();
            persisted += s.framesPersisted();
            buffered += s.bufferedBytes();
            reconnects += s.reconnects();
            errors += s.errorsByCode().values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }
        out.printf(
                "[%5.1fs] %-38s clips %d (%d open, %d ring) | frames sealed %d, persisted %d | %.1f MiB sealed,"
                        + " %.1f KiB waiting | reconnects %d, errors %d%n",
                (System.nanoTime() - startedNanos) / 1e9,
                phase,
                clips,
                open,
                rings,
                sealed,
                persisted,
                bytes / (1024.0 * 1024),
                buffered / 1024.0,
                reconnects,
                errors);
        out.flush();
    }
}
