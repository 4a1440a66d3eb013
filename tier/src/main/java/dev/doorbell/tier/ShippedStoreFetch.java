package dev.doorbell.tier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Copies the stores that shippers put under an S3 location into local directories, one per uplink instance, so that
 * the owner's store reader reads each exactly as it reads a stopped store (docs/FORMAT.md §6, "Reading a store"). The
 * retention ledger is fetched first, then the owner's requests (the shipper puts those a ledger cites before it), then
 * the checkpoint, then the segments up to the one it names: a segment shipped meanwhile is past the consistent prefix,
 * as segments past a live store's checkpoint are. The shipper puts a changed ledger before it replaces or deletes the
 * segments the new lines explain, so a copy is consistent when the bucket's ledger did not change while it was made;
 * when it did, the copy is made again.
 */
public final class ShippedStoreFetch {
    /**
     * One uplink's shipped store, copied to {@code dir}; {@code location} names it for people.
     *
     * @param bytes what was fetched
     */
    public record Fetched(String instance, S3Location location, Path dir, int segments, long bytes) {}

    /** What was fetched, and the folders skipped with why (a shipper that has not written a marker yet). */
    public record Result(List<Fetched> stores, List<String> notes) {}

    private ShippedStoreFetch() {}

    /** Fetches every instance under {@code root} into {@code into}/&lt;instance&gt;; {@code into} must be empty. */
    public static Result fetch(S3Client s3, S3Location root, Path into) throws IOException {
        List<Fetched> stores = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String listed = root.prefix().isEmpty() ? "" : root.prefix() + "/";
        try {
            for (CommonPrefix folder : s3.listObjectsV2Paginator(ListObjectsV2Request.builder()
                            .bucket(root.bucket())
                            .prefix(listed)
                            .delimiter("/")
                            .build())
                    .commonPrefixes()) {
                String name = folder.prefix()
                        .substring(listed.length(), folder.prefix().length() - 1);
                if (!ShippedStore.isInstanceId(name)) {
                    notes.add(root.resolve(name) + " is not a shipped store's folder (its name is not an instance id):"
                            + " skipped");
                    continue;
                }
                Fetched fetched = fetchInstance(s3, root, name, into.resolve(name));
                if (fetched == null) {
                    notes.add(root.resolve(name) + " has no marker yet (its shipper has not finished its first"
                            + " segment): skipped");
                } else {
                    stores.add(fetched);
                }
            }
        } catch (SdkException e) {
            throw new IOException("reading " + root + " failed: " + S3Errors.describe(e), e);
        }
        return new Result(stores, notes);
    }

    private static final int ATTEMPTS = 5;

    private static Fetched fetchInstance(S3Client s3, S3Location root, String instance, Path dir) throws IOException {
        String ledgerKey = ShippedStore.ledgerKey(root, instance);
        for (int attempt = 1; ; attempt++) {
            String before = etag(s3, root.bucket(), ledgerKey);
            Fetched fetched = fetchOnce(s3, root, instance, dir);
            String after = etag(s3, root.bucket(), ledgerKey);
            if (fetched == null || Objects.equals(before, after)) {
                return fetched;
            }
            if (attempt == ATTEMPTS) {
                throw new IOException(root.resolve(instance) + " kept changing under its shipper's retention while it"
                        + " was read (" + ATTEMPTS + " attempts)");
            }
            delete(dir);
        }
    }

    private static Fetched fetchOnce(S3Client s3, S3Location root, String instance, Path dir) throws IOException {
        byte[] marker = get(s3, root.bucket(), ShippedStore.markerKey(root, instance));
        if (marker == null) {
            return null;
        }
        Files.createDirectories(dir.resolve(ShippedStore.SEGMENTS));
        Files.write(dir.resolve(ShippedStore.MARKER), marker);
        long bytes = marker.length;
        bytes += fetchRetention(s3, root, instance, dir);
        byte[] checkpoint = get(s3, root.bucket(), ShippedStore.checkpointKey(root, instance));
        long newest = Long.MAX_VALUE;
        if (checkpoint != null) {
            Files.write(dir.resolve(ShippedStore.CHECKPOINT), checkpoint);
            bytes += checkpoint.length;
            long named = ShippedStore.checkpointSegment(checkpoint);
            if (named > 0) {
                newest = named;
            }
        }
        String segments = ShippedStore.segmentKey(root, instance, "");
        int count = 0;
        for (S3Object object : s3.listObjectsV2Paginator(ListObjectsV2Request.builder()
                        .bucket(root.bucket())
                        .prefix(segments)
                        .build())
                .contents()) {
            String name = object.key().substring(segments.length());
            if (!ShippedStore.isSegmentName(name) || ShippedStore.segmentNumber(name) > newest) {
                continue;
            }
            s3.getObject(
                    GetObjectRequest.builder()
                            .bucket(root.bucket())
                            .key(object.key())
                            .build(),
                    dir.resolve(ShippedStore.SEGMENTS).resolve(name));
            bytes += object.size();
            count++;
        }
        return new Fetched(instance, root.resolve(instance), dir, count, bytes);
    }

    /** The ledger and the owner's requests, into {@code dir/retention/}; returns the bytes fetched. */
    private static long fetchRetention(S3Client s3, S3Location root, String instance, Path dir) throws IOException {
        byte[] ledger = get(s3, root.bucket(), ShippedStore.ledgerKey(root, instance));
        if (ledger == null) {
            return 0;
        }
        Path retention = dir.resolve(ShippedStore.RETENTION);
        Path requests = retention.resolve(ShippedStore.REQUESTS);
        Files.createDirectories(requests);
        Files.write(retention.resolve(ShippedStore.LEDGER), ledger);
        long bytes = ledger.length;
        String prefix = ShippedStore.requestKey(root, instance, "");
        for (S3Object object : s3.listObjectsV2Paginator(ListObjectsV2Request.builder()
                        .bucket(root.bucket())
                        .prefix(prefix)
                        .build())
                .contents()) {
            String name = object.key().substring(prefix.length());
            if (!ShippedStore.isRequestName(name)) {
                continue;
            }
            s3.getObject(
                    GetObjectRequest.builder()
                            .bucket(root.bucket())
                            .key(object.key())
                            .build(),
                    requests.resolve(name));
            bytes += object.size();
        }
        return bytes;
    }

    /** The object's ETag, or null when there is none. */
    private static String etag(S3Client s3, String bucket, String key) {
        try {
            return s3.headObject(b -> b.bucket(bucket).key(key)).eTag();
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The object's bytes, or null when there is none. */
    private static byte[] get(S3Client s3, String bucket, String key) {
        try {
            return s3.getObjectAsBytes(
                            GetObjectRequest.builder().bucket(bucket).key(key).build())
                    .asByteArray();
        } catch (NoSuchKeyException e) {
            return null;
        }
    }
}
