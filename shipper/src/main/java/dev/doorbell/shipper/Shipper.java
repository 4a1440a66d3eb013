package dev.doorbell.shipper;

import dev.doorbell.tier.S3Location;
import dev.doorbell.tier.ShippedStore;
import dev.doorbell.uplink.store.ClosedSegments;
import dev.doorbell.uplink.store.ClosedSegments.Segment;
import dev.doorbell.uplink.store.RetentionLedger;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One pass of the shipper over a store: every closed segment past the state goes to the bucket unchanged, then a
 * checkpoint naming it, then (once) the marker, then the state. Idempotent by construction: an object's key is fixed
 * by the store's instance id and the segment's number, and before putting one the shipper asks the bucket what is
 * there. The same size and CRC32C (kept in the object's metadata): already shipped, by a shipper killed before it
 * saved its state, and not put again. Nothing: put (S3 makes an object visible whole or not at all, so a shipper
 * killed mid-upload leaves nothing behind). Anything else: {@link ShipConflictException}, never overwritten, but for
 * the one change the store itself announces: a segment its retention ledger says was compacted to exactly the local
 * file's size and CRC32C.
 *
 * <p>Retention reaches the bucket in the order a reader needs (docs/FORMAT.md §6, "Shipped to S3"): the owner's
 * requests first, then the ledger that cites them (put whole again each time it grew), then the objects the ledger
 * explains: a compacted segment put over its shipped copy, a removed one deleted. The ledger is in the bucket before
 * any object it explains changes, so a shipper killed at any point leaves a bucket whose reader sees a deleted clip's
 * records as deleted (still there or not) and never a compacted segment as short; the next pass finishes the work.
 */
final class Shipper {
    private static final Logger log = LoggerFactory.getLogger(Shipper.class);
    static final String CRC_METADATA = "crc32c";

    /**
     * What a pass did: segments put, segments found already there, bytes put, the newest segment shipped; shipped
     * segments put again compacted and deleted as retention removed them.
     */
    record Pass(int put, int alreadyThere, long bytes, long newest, int compacted, int removed) {
        Pass(int put, int alreadyThere, long bytes, long newest) {
            this(put, alreadyThere, bytes, newest, 0, 0);
        }
    }

    private record Digest(long size, String crc32c, String md5) {}

    private final S3Client s3;
    private final S3Location root;
    private final Path store;
    private final ShipState state;
    private final long maxBytesPerSecond;
    private volatile boolean stopping;
    private ShipEvents events = ShipEvents.NONE;
    private boolean markerThere;
    /** The ledger's bytes as the bucket holds them, once known; null before. */
    private byte[] ledgerShipped;

    private RetentionLedger ledger = RetentionLedger.parse(new byte[0]);
    /** The owner's requests the bucket holds, once listed. */
    private Set<String> requestsShipped;
    /** Segments whose removal the bucket holds, and how many compaction lines of each the bucket's copy reflects. */
    private final Set<Long> removedShipped = new HashSet<>();

    /** Per segment, the compaction line the bucket's copy was last found or put as. */
    private final Map<Long, RetentionLedger.Compaction> compactionsShipped = new HashMap<>();
    /** True while a rewritten ledger's objects are brought up to date (the ledger in the bucket explains both). */
    private boolean rewriting;

    private long ledgerBytesPut;

    Shipper(S3Client s3, S3Location root, Path store, ShipState state, long maxBytesPerSecond) {
        this.s3 = s3;
        this.root = root;
        this.store = store;
        this.state = state;
        this.maxBytesPerSecond = maxBytesPerSecond;
    }

    /** Who is told of each object put (the metrics); set before the first pass. */
    void events(ShipEvents events) {
        this.events = events;
    }

    /** Ends the pass after the segment being shipped. */
    void stop() {
        stopping = true;
    }

    Pass shipClosed() throws IOException {
        long shipped = state.shipped();
        List<Segment> closed = ClosedSegments.list(store);
        String instance = state.instance();
        int put = 0;
        int there = 0;
        long bytes = 0;
        // The bucket answers each pass, even one with nothing to put: a wrong endpoint or bucket is an error at once,
        // never a pass that "shipped 0 segments" without having reached anything.
        s3.headBucket(b -> b.bucket(root.bucket()));
        shipRetention();
        for (Segment segment : closed) {
            if (segment.number() <= shipped) {
                continue;
            }
            if (stopping) {
                break;
            }
            if (segment.number() > shipped + 1 && shipped > 0) {
                log.warn(
                        "segments {} to {} are no longer in store {}: shipping goes on at {}",
                        shipped + 1,
                        segment.number() - 1,
                        store,
                        segment.name());
            }
            String key = ShippedStore.segmentKey(root, instance, segment.name());
            long started = System.nanoTime();
            Digest digest = digest(segment.file());
            // A compaction of this segment is in the ledger before its file changes: if the bytes just read are the
            // compacted ones, this puts the ledger line that explains them first.
            shipRetention();
            HeadObjectResponse found = head(key);
            if (found == null) {
                putFile(key, segment.file(), digest);
                put++;
                bytes += digest.size();
                log.info(
                        "shipped segment {} ({} bytes) to s3://{}/{} in {} ms",
                        segment.name(),
                        digest.size(),
                        root.bucket(),
                        key,
                        (System.nanoTime() - started) / 1_000_000);
            } else if (found.contentLength() == digest.size()
                    && digest.crc32c().equals(found.metadata().get(CRC_METADATA))) {
                there++;
                events.alreadyThere();
                log.info("segment {} is in the bucket already (same size and CRC32C): not put again", segment.name());
            } else if (isCompaction(segment.number(), digest)) {
                putFile(key, segment.file(), digest);
                put++;
                bytes += digest.size();
                log.info(
                        "segment {} was compacted after a shipper put it: put again ({} bytes)",
                        segment.name(),
                        digest.size());
            } else {
                throw new ShipConflictException("s3://" + root.bucket() + "/" + key + " holds " + found.contentLength()
                        + " bytes (crc32c " + found.metadata().get(CRC_METADATA) + ") but segment "
                        + segment.name() + " of " + store + " holds " + digest.size() + " bytes (crc32c "
                        + digest.crc32c() + "): is another store shipping under instance " + instance
                        + " (a copy of this store directory)? Nothing was overwritten");
            }
            if (segment.committedLength() >= 0) {
                putBytes(ShippedStore.checkpointKey(root, instance), ClosedSegments.checkpointFor(segment));
            }
            if (!markerThere) {
                String marker = ShippedStore.markerKey(root, instance);
                if (head(marker) == null) {
                    putBytes(marker, ClosedSegments.MARKER);
                }
                markerThere = true;
            }
            state.shipped(segment.number());
            shipped = segment.number();
        }
        shipRetention();
        int removed = removeShipped(shipped);
        int compacted = compactShipped(shipped);
        return new Pass(put, there, bytes, shipped, compacted, removed);
    }

    /**
     * Puts the owner's requests the bucket lacks, then the ledger if the bucket's copy is not the local one. The
     * uplink keeps a request before it appends the line citing it, so the requests listed after the ledger was read
     * include every one that ledger cites. A local ledger that extends the bucket's is put whole. One the uplink
     * rewrote shorter (docs/FORMAT.md §6, "The ledger's rewrite") is put in three steps, because the bucket may still
     * hold objects that only the bucket's ledger explains (an older compacted copy, records of clips the rewrite folded
     * into a watermark): first both ledgers in one, then the shipped objects brought to the local files, then the local
     * ledger. Any other bucket ledger is a conflict.
     */
    private void shipRetention() throws IOException {
        if (rewriting) {
            return;
        }
        Path folder = store.resolve(RetentionLedger.DIR);
        byte[] local;
        try {
            local = Files.readAllBytes(folder.resolve(RetentionLedger.LEDGER_FILE));
        } catch (NoSuchFileException e) {
            return;
        }
        if (Arrays.equals(local, ledgerShipped)) {
            return;
        }
        shipRequests(folder.resolve(RetentionLedger.REQUESTS_DIR));
        String key = ShippedStore.ledgerKey(root, state.instance());
        if (ledgerShipped == null) {
            ledgerShipped = get(key);
            if (ledgerShipped != null) {
                ledger = RetentionLedger.parse(ledgerShipped);
            }
            if (Arrays.equals(local, ledgerShipped)) {
                return;
            }
        }
        if (ledgerShipped != null && !startsWith(local, ledgerShipped)) {
            RetentionLedger localLedger = RetentionLedger.parse(local);
            RetentionLedger bucketLedger = RetentionLedger.parse(ledgerShipped);
            String why = localLedger.supersedes(bucketLedger);
            if (why != null) {
                throw new ShipConflictException("s3://" + root.bucket() + "/" + key + " holds a retention ledger that "
                        + "the one of " + store + " does not supersede (" + why + "): is another store shipping under"
                        + " instance " + state.instance() + "? Nothing was overwritten");
            }
            byte[] both = RetentionLedger.merge(local, ledgerShipped);
            if (!Arrays.equals(both, ledgerShipped)) {
                putLedger(key, both, "both ledgers (the bucket's and the rewritten local one) in one");
            }
            rewriting = true;
            try {
                catchUpFromTheTop(state.shipped());
            } finally {
                rewriting = false;
            }
        }
        putLedger(key, local, "the retention ledger");
    }

    private void putLedger(String key, byte[] bytes, String what) {
        s3.putObject(request(key, digest(bytes)), RequestBody.fromBytes(bytes));
        ledgerShipped = bytes;
        ledger = RetentionLedger.parse(bytes);
        ledgerBytesPut += bytes.length;
        log.info("shipped {} of {} ({} bytes)", what, store, bytes.length);
    }

    /** Bytes of ledgers put so far by this shipper. */
    long ledgerBytesPut() {
        return ledgerBytesPut;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private byte[] get(String key) {
        try {
            return s3.getObjectAsBytes(b -> b.bucket(root.bucket()).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    private void shipRequests(Path folder) {
        List<Path> files;
        try (Stream<Path> listed = Files.list(folder)) {
            files = listed.filter(
                            p -> ShippedStore.isRequestName(p.getFileName().toString()))
                    .sorted()
                    .toList();
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (requestsShipped == null) {
            String prefix = ShippedStore.requestKey(root, state.instance(), "");
            Set<String> there = new HashSet<>();
            for (S3Object object : s3.listObjectsV2Paginator(ListObjectsV2Request.builder()
                            .bucket(root.bucket())
                            .prefix(prefix)
                            .build())
                    .contents()) {
                there.add(object.key().substring(prefix.length()));
            }
            requestsShipped = there;
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (requestsShipped.contains(name)) {
                continue;
            }
            try {
                putBytes(ShippedStore.requestKey(root, state.instance(), name), Files.readAllBytes(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            requestsShipped.add(name);
            log.info("shipped the owner's request {} of {}", name, store);
        }
    }

    /** Deletes the shipped copies of the segments the ledger (as the bucket holds it) says retention removed. */
    private int removeShipped(long shipped) {
        int removed = 0;
        for (long k : ledger.removedSegments()) {
            if (k <= shipped) {
                removed += removeOne(k);
            }
        }
        return removed;
    }

    private int removeOne(long k) {
        if (!removedShipped.add(k)) {
            return 0;
        }
        String key = ShippedStore.segmentKey(root, state.instance(), segmentName(k));
        if (head(key) == null) {
            return 0;
        }
        s3.deleteObject(b -> b.bucket(root.bucket()).key(key));
        log.info("segment {} was removed by retention: its copy s3://{}/{} is deleted", k, root.bucket(), key);
        return 1;
    }

    /**
     * Puts the compacted bytes of each shipped segment the ledger says was compacted, when the local file is the
     * compacted one (its size and CRC32C those of a compaction line: the line is written before the file is renamed)
     * and the bucket's copy is not.
     */
    private int compactShipped(long shipped) throws IOException {
        int compacted = 0;
        Set<Long> removed = ledger.removedSegments();
        for (long k : ledger.compactedSegments()) {
            if (k <= shipped && !removed.contains(k)) {
                compacted += compactOne(k);
            }
        }
        return compacted;
    }

    /**
     * Brings the shipped copy of every segment the ledger removed or compacted to the local file, from the highest
     * segment down: a clip's header lies in its first segment, so at any stop the copies still old are a lowest run,
     * and a clip with records left in them still has its header there, where a reader finds the clip's chain position
     * (docs/FORMAT.md §6, "Shipped to S3": a clip folded into a watermark is deleted by its header's position).
     */
    private void catchUpFromTheTop(long shipped) throws IOException {
        Set<Long> removed = ledger.removedSegments();
        TreeSet<Long> changed = new TreeSet<>(removed);
        changed.addAll(ledger.compactedSegments());
        for (long k : changed.headSet(shipped, true).descendingSet()) {
            if (removed.contains(k)) {
                removeOne(k);
            } else {
                compactOne(k);
            }
        }
    }

    private int compactOne(long k) throws IOException {
        List<RetentionLedger.Compaction> lines = ledger.compactions(k);
        RetentionLedger.Compaction newest = lines.get(lines.size() - 1);
        if (newest.equals(compactionsShipped.get(k))) {
            return 0;
        }
        Path file = store.resolve(ClosedSegments.SEGMENTS_DIR).resolve(segmentName(k));
        Digest digest;
        try {
            digest = digest(file);
        } catch (NoSuchFileException e) {
            return 0; // removed since: its ledger line comes with the next pass
        }
        if (!isCompaction(k, digest)) {
            return 0; // the line is durable, the rename not done yet
        }
        shipRetention(); // the file read may be a later compaction than the ledger the bucket holds
        String key = ShippedStore.segmentKey(root, state.instance(), segmentName(k));
        HeadObjectResponse found = head(key);
        int put = 0;
        if (found == null
                || found.contentLength() != digest.size()
                || !digest.crc32c().equals(found.metadata().get(CRC_METADATA))) {
            putFile(key, file, digest);
            put = 1;
            log.info(
                    "segment {} was compacted by retention: its copy s3://{}/{} is replaced ({} bytes)",
                    k,
                    root.bucket(),
                    key,
                    digest.size());
        }
        compactionsShipped.put(k, newest);
        return put;
    }

    /** The ledger the bucket holds has a compaction of this segment to exactly these bytes. */
    private boolean isCompaction(long segment, Digest digest) {
        return ledger.compactions(segment).stream()
                .anyMatch(c -> c.length() == digest.size()
                        && String.format("%08x", c.crc()).equals(digest.crc32c()));
    }

    private static String segmentName(long number) {
        return String.format("%010d.seg", number);
    }

    private HeadObjectResponse head(String key) {
        try {
            return s3.headObject(b -> b.bucket(root.bucket()).key(key));
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    private void putFile(String key, Path file, Digest digest) {
        try {
            putFileUncounted(key, file, digest);
        } catch (RuntimeException e) {
            events.putFailed(key);
            throw e;
        }
        events.put(key, digest.size());
    }

    private void putFileUncounted(String key, Path file, Digest digest) {
        s3.putObject(
                request(key, digest),
                RequestBody.fromContentProvider(
                        () -> {
                            try {
                                return throttled(Files.newInputStream(file));
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        },
                        digest.size(),
                        "application/octet-stream"));
    }

    private void putBytes(String key, byte[] bytes) {
        try {
            s3.putObject(request(key, digest(bytes)), RequestBody.fromBytes(bytes));
        } catch (RuntimeException e) {
            events.putFailed(key);
            throw e;
        }
        events.put(key, bytes.length);
    }

    private PutObjectRequest request(String key, Digest digest) {
        // Content-MD5: the server refuses an upload whose bytes changed on the way.
        return PutObjectRequest.builder()
                .bucket(root.bucket())
                .key(key)
                .contentLength(digest.size())
                .contentMD5(digest.md5())
                .metadata(Map.of(CRC_METADATA, digest.crc32c()))
                .build();
    }

    private InputStream throttled(InputStream in) {
        if (maxBytesPerSecond <= 0) {
            return in;
        }
        long started = System.nanoTime();
        return new FilterInputStream(in) {
            private long read;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    pace(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, (int) Math.min(length, Math.max(1, maxBytesPerSecond / 20)));
                if (n > 0) {
                    pace(n);
                }
                return n;
            }

            private void pace(int n) throws IOException {
                read += n;
                long due = started + (long) (read * 1e9 / maxBytesPerSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while pacing the upload", e);
                    }
                }
            }
        };
    }

    private static Digest digest(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        MessageDigest md5 = md5();
        long size = 0;
        ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(buffer.clear()) >= 0) {
                buffer.flip();
                size += buffer.remaining();
                crc.update(buffer.duplicate());
                md5.update(buffer);
            }
        }
        return new Digest(
                size, String.format("%08x", crc.getValue()), Base64.getEncoder().encodeToString(md5.digest()));
    }

    private static Digest digest(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        MessageDigest md5 = md5();
        return new Digest(
                bytes.length,
                String.format("%08x", crc.getValue()),
                Base64.getEncoder().encodeToString(md5.digest(bytes)));
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }
}
