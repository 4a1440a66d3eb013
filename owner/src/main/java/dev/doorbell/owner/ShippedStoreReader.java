package dev.doorbell.owner;

import dev.doorbell.tier.S3Location;
import dev.doorbell.tier.S3Options;
import dev.doorbell.tier.ShippedStoreFetch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Reads the stores that shippers put under {@code s3://bucket/prefix}, one per uplink instance (docs/FORMAT.md §6,
 * "Shipped to S3"): each is fetched into a scratch directory, read by {@link StoreDirectoryReader} exactly as a stopped
 * store, and the snapshots are merged by the caller with {@link StoreMerge} as those of uplinks sharing a port are, so
 * that a clip whose frames two uplinks stored (a device that resumed on another) is one clip. The scratch directory
 * is removed on {@link #close()}.
 */
public final class ShippedStoreReader implements AutoCloseable {
    private final Path scratch;
    private final List<StoreSnapshot> snapshots = new ArrayList<>();
    private final Map<String, String> names = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    private ShippedStoreReader(Path scratch) {
        this.scratch = scratch;
    }

    public static ShippedStoreReader read(S3Location root, S3Options options) throws IOException {
        ShippedStoreReader reader = new ShippedStoreReader(Files.createTempDirectory("doorbell-open-s3-"));
        try (S3Client s3 = options.client()) {
            ShippedStoreFetch.Result result = ShippedStoreFetch.fetch(s3, root, reader.scratch);
            reader.notes.addAll(result.notes());
            if (result.stores().isEmpty()) {
                throw new IOException(root + " holds no shipped store (no <instance>/doorbell-store under it)");
            }
            for (ShippedStoreFetch.Fetched fetched : result.stores()) {
                reader.snapshots.add(StoreDirectoryReader.read(fetched.dir()));
                reader.names.put(fetched.dir().toString(), fetched.location().toString());
            }
            return reader;
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    /** One snapshot per uplink instance, each naming its scratch directory. */
    public List<StoreSnapshot> snapshots() {
        return List.copyOf(snapshots);
    }

    /** Each scratch directory's name, as a string, to the s3:// location it was fetched from, for people. */
    public Map<String, String> names() {
        return Map.copyOf(names);
    }

    /** Folders under the location that were skipped, and why. */
    public List<String> notes() {
        return List.copyOf(notes);
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> walk = Files.walk(scratch)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
