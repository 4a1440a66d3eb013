package dev.doorbell.device.pairing;

import static dev.doorbell.proto.DeviceFiles.RECIPIENTS_LIST;

import com.google.protobuf.ByteString;
import dev.doorbell.device.chain.ChainState;
import dev.doorbell.device.fault.CrashPoint;
import dev.doorbell.device.fault.InsecureCrashPoints;
import dev.doorbell.device.link.RecipientListUpdates;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.RecipientListResult;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.keys.DurableFiles;
import dev.doorbell.seal.v2.ClipSealerV3;
import dev.doorbell.seal.v2.ClipSealing;
import dev.doorbell.seal.v2.DeviceSigner;
import dev.doorbell.seal.v2.RecipientListRefused;
import dev.doorbell.seal.v2.RecipientLists;
import dev.doorbell.seal.v2.VerifyingKey;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import javax.security.auth.Destroyable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A paired device as it runs: it signs each clip's header with its own key and wraps each clip's key to the
 * recipients of the owner-signed list in use. It takes a newer list relayed by the uplink only when the owner signed
 * it, it names this device and its version is higher; the new list is durable in {@code recipients.list} before any
 * clip uses it, and a refused list changes nothing. It holds no key that opens a clip: each clip's key lives in that
 * clip's sealer and is erased after its last frame.
 */
public final class PairedDevice implements RecipientListUpdates, Destroyable {
    private static final Logger log = LoggerFactory.getLogger(PairedDevice.class);

    private final Path directory;
    private final VerifyingKey owner;
    private final DeviceSigner signer;
    private final ChainState chain;
    private volatile RecipientList list;

    PairedDevice(Path directory, VerifyingKey owner, DeviceSigner signer, RecipientList list, ChainState chain) {
        this.directory = directory;
        this.owner = owner;
        this.signer = signer;
        this.list = list;
        this.chain = chain;
    }

    public String deviceId() {
        return signer.deviceId();
    }

    public Path directory() {
        return directory;
    }

    /** The owner's signing public key: the device's trust anchor. */
    public VerifyingKey ownerKey() {
        return owner;
    }

    /**
     * The device's place in its chain of clips: each clip's header names the clip before it. Give it to the device's
     * {@code LinkClient} as its {@code ClipAcknowledgements}, so that the next header can say how much of the clip
     * before it the uplink acknowledged.
     */
    public ChainState chain() {
        return chain;
    }

    /** The list every clip started now is sealed for. */
    public RecipientList recipientList() {
        return list;
    }

    @Override
    public long heldVersion() {
        return list.getVersion();
    }

    /**
     * Starts a format v3 clip sealed for the list in use: a fresh clip key wrapped to each of its recipients, what
     * happened ({@code params}' trigger, times and picture, {@code ringUnixMs}, {@code padTo}) sealed in the header's
     * clip info, the link to the clip started before it, the header signed with the device's key. {@code params}
     * carries the clip id, drawn by the caller with {@code ClipIds.random} before this draws anything. One thread at a
     * time (the camera's or the fleet device's).
     *
     * @param ringUnixMs the button presses known now (a ring clip has at least one, the press that started it)
     * @param padTo every sealed frame's length is the smallest multiple of this that fits; 0 for no padding
     * @throws dev.doorbell.device.chain.ChainStateException when the clip's position cannot be made durable (written
     *     to {@code chain.state} before this returns, so before the header can be sent): no clip is started
     */
    public ClipSealing startClip(ClipParams params, List<Long> ringUnixMs, int padTo, SecureRandom random) {
        ChainLink link = chain.next();
        ClipSealerV3 clip = ClipSealerV3.start(signer, list, params, link, ringUnixMs, padTo, random);
        try {
            chain.started(link, clip.clipId(), clip.headerSha256());
        } catch (RuntimeException e) {
            // Its position is not durable: the header must never be sent, and its key goes now.
            clip.abandon();
            throw e;
        }
        return clip;
    }

    /**
     * Judges a list the uplink relayed: the owner's signature, this device's id, a version above the one in use. An
     * accepted list is durable (temporary file, fsync, rename, directory fsync) before it becomes the list in use; a
     * refused one leaves everything as it was. Serialized, so that two relayed lists cannot race each other.
     */
    @Override
    public synchronized RecipientListResult apply(ByteString signedList) {
        byte[] bytes = signedList.toByteArray();
        long held = list.getVersion();
        RecipientList offered;
        try {
            offered = RecipientLists.verify(owner, deviceId(), held, bytes);
        } catch (RecipientListRefused e) {
            log.warn("device {} refused a relayed recipient list ({}): {}", deviceId(), e.status(), e.getMessage());
            return result(e.version(), e.status(), e.getMessage());
        }
        try {
            InsecureCrashPoints.reached(CrashPoint.Update.RECIPIENTS.beforeWrite());
            DurableFiles.writePrivate(
                    directory.resolve(RECIPIENTS_LIST),
                    bytes,
                    true,
                    InsecureCrashPoints.steps(CrashPoint.Update.RECIPIENTS));
        } catch (IOException e) {
            // Not durable, not used: the uplink relays it again at the next Hello, which still says the old version.
            log.warn(
                    "device {} cannot store recipient list version {}: {}",
                    deviceId(),
                    offered.getVersion(),
                    e.toString());
            return null;
        }
        list = offered;
        log.info(
                "device {} took recipient list version {} ({} recipients; was version {})",
                deviceId(),
                Long.toUnsignedString(offered.getVersion()),
                offered.getRecipientsCount(),
                Long.toUnsignedString(held));
        return result(offered.getVersion(), RecipientListResult.Status.ACCEPTED, "");
    }

    private static RecipientListResult result(long version, RecipientListResult.Status status, String detail) {
        return RecipientListResult.newBuilder()
                .setVersion(version)
                .setStatus(status)
                .setDetail(detail == null ? "" : detail)
                .build();
    }

    /** Erases the device's signing key from memory (the file stays: the device goes on signing after a restart). */
    @Override
    public void destroy() {
        signer.key().destroy();
    }

    @Override
    public boolean isDestroyed() {
        return signer.key().isDestroyed();
    }

    @Override
    public String toString() {
        return "PairedDevice{" + deviceId() + ", recipient list version " + Long.toUnsignedString(list.getVersion())
                + ", signing key " + (isDestroyed() ? "erased" : "held") + "}";
    }
}
