package dev.doorbell.seal;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.seal.internal.AesGcm;
import dev.doorbell.seal.internal.ClipFormat;
import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.v2.HeaderFormat;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Opens stored clips and names the first thing wrong with them (docs/FORMAT.md §4). The owner builds it from the
 * keyring of root keys; a device can build one from its current epoch key, which opens only clips of its epoch or
 * later. Thread-safe: each {@link #open} call has its own state.
 */
public final class ClipOpener {
    /** Header epochs above this are refused: deriving forward to them would let one header burn minutes of CPU. */
    public static final int MAX_EPOCH = 1 << 20;

    /** Where the opener gets the epoch key of a clip; the key it returns is the opener's, destroyed after use. */
    /**
     * Where the opener gets the epoch key of a clip; throws {@link KeyUnavailableException} naming the device and clip
     * when it has none. The owner's keyring is one.
     */
    public interface KeySource {
        EpochKey epochKey(String deviceId, int epoch, long clipId);
    }

    private final KeySource keys;
    private final GcmProvider provider;

    ClipOpener(KeySource keys, GcmProvider provider) {
        this.keys = keys;
        this.provider = provider;
    }

    /** From the owner's keys: each clip's epoch key, looked up by device, epoch and clip. */
    public ClipOpener(KeySource keys) {
        this(keys, GcmProvider.JCA);
    }

    /** From a lookup of root keys by device id; the lookup returns null for an unknown device. */
    public ClipOpener(Function<String, RootKey> rootKeys) {
        this(
                (deviceId, epoch, clipId) -> {
                    RootKey root = rootKeys.apply(deviceId);
                    if (root == null) {
                        throw new KeyUnavailableException("cannot open clip " + Long.toUnsignedString(clipId)
                                + " of device " + deviceId + ": no root key for that device");
                    }
                    return root.epochKey(epoch);
                },
                GcmProvider.JCA);
    }

    /** From a device's own epoch key: it derives forward only, so clips of earlier epochs stay closed to it. */
    public ClipOpener(EpochKey deviceKey) {
        this(
                (deviceId, epoch, clipId) -> {
                    String clip = "cannot open clip " + Long.toUnsignedString(clipId) + " of device " + deviceId + ": ";
                    if (!deviceKey.deviceId().equals(deviceId)) {
                        throw new KeyUnavailableException(clip + "the key is of device " + deviceKey.deviceId());
                    }
                    if (epoch < deviceKey.epoch()) {
                        throw new KeyUnavailableException(clip + "clip is from epoch " + epoch + ", key is epoch "
                                + deviceKey.epoch() + " (epoch keys derive forward only)");
                    }
                    return deviceKey.forwardTo(epoch);
                },
                GcmProvider.JCA);
    }

    /** The same opener on another AES-GCM provider, for cross-checks. */
    public ClipOpener withProvider(GcmProvider gcmProvider) {
        return new ClipOpener(keys, gcmProvider);
    }

    /**
     * Opens the clip stored as ({@code storedDeviceId}, {@code storedClipId}) from the header bytes and frames as
     * stored, in stored order.
     *
     * @throws KeyUnavailableException if this opener holds no key for the clip's device and epoch
     */
    public ClipVerdict open(
            String storedDeviceId, long storedClipId, byte[] headerBytes, List<StoredFrameBytes> framesInStoredOrder) {
        return open(storedDeviceId, storedClipId, headerBytes, framesInStoredOrder, ClipHoles.NONE);
    }

    /**
     * Opens a clip as a store reader found it, with what the reader knows about the parts of the store it could not
     * read (docs/FORMAT.md §6, reader rules): {@code headerBytes} is null when no header record is stored.
     *
     * @throws KeyUnavailableException if this opener holds no key for the clip's device and epoch, or the clip is
     *     of format v2 or v3 (it opens with {@code ClipOpenerV2})
     */
    public ClipVerdict open(
            String storedDeviceId,
            long storedClipId,
            byte[] headerBytes,
            List<StoredFrameBytes> framesInStoredOrder,
            ClipHoles holes) {
        if (headerBytes == null) {
            return ClipVerdict.noHeaderStored(storedDeviceId, storedClipId, framesInStoredOrder.size(), holes);
        }
        int version = HeaderFormat.version(headerBytes);
        if (version == HeaderFormat.V2 || version == HeaderFormat.V3) {
            throw new KeyUnavailableException("cannot open clip " + Long.toUnsignedString(storedClipId) + " of device "
                    + storedDeviceId + " with a keyring: it is a format v" + version
                    + " clip, which opens with an identity (the"
                    + " owner's or a viewer's directory, --identity) or a share");
        }
        ClipHeader header;
        try {
            header = ClipHeader.parseFrom(headerBytes);
        } catch (InvalidProtocolBufferException e) {
            return ClipVerdict.badHeader(
                    null,
                    "bad header (not a parsable ClipHeader: " + e.getMessage() + "; stored as device " + storedDeviceId
                            + " clip " + Long.toUnsignedString(storedClipId) + ")");
        }
        String problem = HeaderCheck.problem(header, storedDeviceId, storedClipId, MAX_EPOCH);
        if (problem != null) {
            return ClipVerdict.badHeader(header, problem);
        }
        byte[] clipKey = new byte[ClipFormat.CLIP_KEY_BYTES];
        byte[] commitment;
        EpochKey epochKey = keys.epochKey(storedDeviceId, header.getKeyEpoch(), storedClipId);
        try {
            commitment = epochKey.secret()
                    .withCopy(secret -> ClipFormat.deriveClipKey(
                            secret,
                            storedDeviceId,
                            storedClipId,
                            header.getSalt().toByteArray(),
                            clipKey));
        } finally {
            epochKey.destroy();
        }
        // The engine takes over clipKey; destroying it zeroes the key on every path out of here.
        AesGcm gcm = AesGcm.create(provider, clipKey);
        try {
            if (!MessageDigest.isEqual(commitment, header.getKeyCommitment().toByteArray())) {
                return ClipVerdict.badHeader(
                        header,
                        "key commitment mismatch (the key does not match this header: a wrong"
                                + " keyring, such as another fleet's, or a forged or altered header; device "
                                + storedDeviceId + " clip "
                                + Long.toUnsignedString(storedClipId) + " epoch " + header.getKeyEpoch() + ")");
            }
            return new FrameWalk(header, ClipFormat.sha256(headerBytes), gcm).walk(framesInStoredOrder, holes);
        } finally {
            gcm.destroy();
        }
    }

    /** Convenience for frames straight from a sealer, in the order given. */
    public ClipVerdict open(String storedDeviceId, long storedClipId, byte[] headerBytes, SealedFrame... frames) {
        List<StoredFrameBytes> stored = new ArrayList<>();
        for (SealedFrame frame : frames) {
            stored.add(frame.toStored());
        }
        return open(storedDeviceId, storedClipId, headerBytes, stored);
    }
}
