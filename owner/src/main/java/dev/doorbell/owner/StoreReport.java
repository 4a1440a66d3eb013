package dev.doorbell.owner;

import java.nio.file.Path;
import java.util.List;

/**
 * How one store was read and what is wrong with it as a whole: its format version, whether an uplink held it
 * ({@code liveHolder}, null when stopped), the checkpoint used, the findings (damage) and notes on what could not be
 * checked (a v1 store, v1 segments of an upgraded store, a live store read up to its last group commit).
 */
public record StoreReport(
        Path dir, int version, String liveHolder, String checkpoint, List<StoreFinding> findings, List<String> notes) {
    public StoreReport {
        findings = List.copyOf(findings);
        notes = List.copyOf(notes);
    }

    public boolean damaged() {
        return !findings.isEmpty();
    }

    /** E.g. "store /data: doorbell-store v2, stopped, checkpoint segment 0000000003 offset 81234 (412 records)". */
    public String headline() {
        return "store " + dir + ": doorbell-store v" + version + ", "
                + (liveHolder == null ? "stopped" : "live (" + liveHolder + ")")
                + (checkpoint == null ? "" : ", checkpoint " + checkpoint)
                + (findings.isEmpty()
                        ? ""
                        : ", " + findings.size() + (findings.size() == 1 ? " finding" : " findings"));
    }
}
