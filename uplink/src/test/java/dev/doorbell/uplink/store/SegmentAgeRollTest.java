package dev.doorbell.uplink.store;

import static dev.doorbell.uplink.store.StoreFixtures.storeClip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --segment-max-age}: a segment that holds records is rolled once it is that old, even when no record
 * comes, so that a shipper, which takes closed segments only, is never further behind; an empty one never is.
 */
class SegmentAgeRollTest {
    private static final String DEVICE = "dev-age-roll";

    @TempDir
    Path dir;

    @Test
    void idleSegmentWithRecords_isRolledByAge_andNoEmptySegmentFollows() throws Exception {
        Duration age = Duration.ofMillis(300);
        try (DirectoryStore store =
                DirectoryStore.open(dir, StoreFixtures.options().withSegmentMaxAge(age), StoreFixtures.CLOCK)) {
            storeClip(store, DEVICE, 1, 3, 100, true);
            StoreFixtures.await(
                    "segment 2 after an idle roll by age", () -> segments().size() == 2);
            // Idle and empty: several ages pass without another segment.
            long until = System.nanoTime() + 3 * age.toNanos();
            while (System.nanoTime() < until) {
                assertEquals(2, segments().size(), "an empty segment is never rolled");
                Thread.sleep(50);
            }
            storeClip(store, DEVICE, 2, 2, 100, true);
            StoreFixtures.await(
                    "segment 3 after the second clip aged", () -> segments().size() == 3);
        }
        try (StoreReader reader = StoreReader.open(dir)) {
            assertTrue(reader.report().ok(), reader.report().toString());
            assertEquals(2, reader.clips().size());
            assertEquals(3, reader.clip(DEVICE, 1).frames().size());
        }
    }

    @Test
    void defaults_rollBySizeOnly() throws Exception {
        try (DirectoryStore store = DirectoryStore.open(dir, StoreFixtures.options(), StoreFixtures.CLOCK)) {
            storeClip(store, DEVICE, 1, 3, 100, true);
            Thread.sleep(300);
            assertEquals(1, segments().size());
        }
    }

    private List<Path> segments() {
        try (Stream<Path> files = Files.list(dir.resolve("segments"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".seg"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
