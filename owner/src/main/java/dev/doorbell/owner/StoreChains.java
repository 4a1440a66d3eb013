package dev.doorbell.owner;

import dev.doorbell.owner.chain.ChainFinding;
import dev.doorbell.owner.chain.ChainedClip;
import dev.doorbell.owner.chain.ClipChain;
import dev.doorbell.owner.chain.SealedChainCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The chain check of every device in opened results (docs/FORMAT.md §17), after all of a device's clips are open:
 * one {@link ClipChain} per device over its v3 clips whose header verified, then what only the owner sees along it
 * ({@link SealedChainCheck}: clips sharing a clip key, start times going backwards). A clip whose acknowledged frames the store
 * no longer holds gets the verdict {@code MISSING at frame M (...)}, in its result and in its verdict.txt.
 */
public final class StoreChains {
    /** The findings of every device, in device order, and the results with the verdicts the chain changed. */
    public record Report(List<ClipResult> results, List<ChainFinding> findings) {
        public Report {
            results = List.copyOf(results);
            findings = List.copyOf(findings);
        }

        public boolean failed() {
            return findings.stream().anyMatch(ChainFinding::failure);
        }

        public long count(String word) {
            return findings.stream().filter(f -> f.kind().word().equals(word)).count();
        }
    }

    private StoreChains() {}

    /**
     * Checks each device's chain in {@code results} (all of the device's clips in the store: a filter that leaves some
     * out makes gaps). {@code fromPosition}: the first position the store is meant to hold (1 unless older clips were
     * deleted on purpose).
     */
    public static Report check(List<ClipResult> results, long fromPosition) throws IOException {
        Map<String, List<ChainedClip>> perDevice = new TreeMap<>();
        for (ClipResult r : results) {
            if (r.chain() != null) {
                perDevice.computeIfAbsent(r.deviceId(), d -> new ArrayList<>()).add(r.chain());
            }
        }
        List<ChainFinding> findings = new ArrayList<>();
        Map<String, ChainFinding> missingFrames = new HashMap<>();
        for (Map.Entry<String, List<ChainedClip>> e : perDevice.entrySet()) {
            for (ChainFinding f : ClipChain.check(e.getKey(), e.getValue(), fromPosition)) {
                findings.add(f);
                if (f.kind() == ChainFinding.Kind.MISSING_FRAMES) {
                    missingFrames.put(e.getKey() + "/" + Long.toUnsignedString(f.clipId()), f);
                }
            }
            findings.addAll(SealedChainCheck.check(e.getKey(), e.getValue()));
        }
        List<ClipResult> updated = new ArrayList<>(results.size());
        for (ClipResult r : results) {
            ChainFinding f = missingFrames.get(r.deviceId() + "/" + Long.toUnsignedString(r.clipId()));
            if (f == null) {
                updated.add(r);
                continue;
            }
            ClipResult missing = r.missingFrames(f.line());
            if (Files.isDirectory(r.outDir())) {
                Files.writeString(r.outDir().resolve("verdict.txt"), missing.summary() + "\n");
            }
            updated.add(missing);
        }
        return new Report(updated, findings);
    }
}
