package dev.doorbell.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Report directories compared as the file system sees them: absolute, normalised, symbolic links resolved. */
final class ReportPaths {
    private ReportPaths() {}

    /** {@code path} with its longest existing prefix resolved to the real path, the rest appended as written. */
    static Path canonical(Path path) throws IOException {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        return existing.toRealPath().resolve(existing.relativize(absolute)).normalize();
    }
}
