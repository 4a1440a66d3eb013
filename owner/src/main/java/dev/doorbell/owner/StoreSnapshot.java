package dev.doorbell.owner;

import java.nio.file.Path;
import java.util.List;

/**
 * Every clip found in one or more store directories, what the reader noticed but could read past (a torn tail,
 * records never acknowledged), and one report per store with its findings.
 */
public record StoreSnapshot(Path dir, List<StoredClip> clips, List<String> warnings, List<StoreReport> stores) {
    public StoreSnapshot {
        clips = List.copyOf(clips);
        warnings = List.copyOf(warnings);
        stores = List.copyOf(stores);
    }

    /** Whether any store has a finding: damage, missing segments, less than was committed. */
    public boolean damaged() {
        return stores.stream().anyMatch(StoreReport::damaged);
    }
}
