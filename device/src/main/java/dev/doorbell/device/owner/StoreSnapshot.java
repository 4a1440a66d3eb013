package dev.doorbell.device.owner;

import java.nio.file.Path;
import java.util.List;

/** Every clip found in a store directory, with what the reader noticed but could read past. */
public record StoreSnapshot(Path dir, List<StoredClip> clips, List<String> warnings) {
  public StoreSnapshot {
    clips = List.copyOf(clips);
    warnings = List.copyOf(warnings);
  }
}
