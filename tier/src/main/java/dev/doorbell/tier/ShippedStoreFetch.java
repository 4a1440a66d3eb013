package dev.doorbell.tier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Copies the stores that shippers put under an S3 location into local directories, one per uplink instance, so that
 * the owner's store reader reads each exactly as it reads a stopped store (docs/FORMAT.md §6, "Reading a store"). The
 * checkpoint is fetched before the segments are listed, and only segments up to the one it names are fetched: a
 * segment shipped meanwhile is past the consistent prefix, as segments past a live store's checkpoint are.
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

    private static Fetched fetchInstance(S3Client s3, S3Location root, String instance, Path dir) throws IOException {
        byte[] marker = get(s3, root.bucket(), ShippedStore.markerKey(root, instance));
        if (marker == null) {
            return null;
        }
        Files.createDirectories(dir.resolve(ShippedStore.SEGMENTS));
        Files.write(dir.resolve(ShippedStore.MARKER), marker);
        long bytes = marker.length;
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
