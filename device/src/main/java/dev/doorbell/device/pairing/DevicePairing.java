package dev.doorbell.device.pairing;

import static dev.doorbell.proto.DeviceFiles.DEVICE_KEY_CERT;
import static dev.doorbell.proto.DeviceFiles.OWNER_PUB;
import static dev.doorbell.proto.DeviceFiles.RECIPIENTS_LIST;
import static dev.doorbell.proto.DeviceFiles.SIGNING_KEY;

import dev.doorbell.device.chain.ChainState;
import dev.doorbell.device.chain.ChainStateException;
import dev.doorbell.device.chain.ChainStateFile;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.seal.keys.DurableFiles;
import dev.doorbell.seal.keys.KeyFileException;
import dev.doorbell.seal.v2.CertificateRefused;
import dev.doorbell.seal.v2.DeviceKeyCertificates;
import dev.doorbell.seal.v2.DeviceSigner;
import dev.doorbell.seal.v2.KeyFiles;
import dev.doorbell.seal.v2.RecipientListRefused;
import dev.doorbell.seal.v2.RecipientLists;
import dev.doorbell.seal.v2.RecipientPublicKey;
import dev.doorbell.seal.v2.SigningKey;
import dev.doorbell.seal.v2.VerifyingKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's side of pairing (docs/FORMAT.md, format v2): a local step, never through the uplink. The device makes
 * its own signing key ({@link #createSigningKey}); the owner certifies its public key and hands back the owner's
 * signing public key, the certificate and the first recipient list ({@link #install}); from then on the device
 * {@link #load}s what it signs and seals with. The owner's side (the {@code pair} command, the fleet) calls these;
 * nothing the device keeps opens a clip it has finished: a clip's key lives only while that clip is recorded.
 *
 * <p>Files in the device directory, 0600: {@code signing.key}, {@code owner.pub}, {@code device-key.cert}, {@code
 * recipients.list}. A directory without all four is unpaired, and {@link #load} says so, naming the missing file.
 */
public final class DevicePairing {
    private static final Logger log = LoggerFactory.getLogger(DevicePairing.class);

    /** What pairing writes, in the order {@link #load} reports the first one missing. */
    static final List<String> FILES = List.of(SIGNING_KEY, OWNER_PUB, DEVICE_KEY_CERT, RECIPIENTS_LIST);

    private DevicePairing() {}

    /** The id of a provisioned device directory (device.properties, checked against its TLS certificate). */
    public static String deviceId(Path deviceDir) {
        return DeviceDirectory.load(deviceDir).deviceId();
    }

    /** As {@link #createSigningKey(Path, SecureRandom, boolean)}, durable before it returns. */
    public static VerifyingKey createSigningKey(Path deviceDir, SecureRandom random) {
        return createSigningKey(deviceDir, random, true);
    }

    /**
     * Makes the device's own Ed25519 signing key, on the device: writes {@code signing.key} (0600) and returns the
     * public key for the owner to certify. Refuses a directory that has a signing key already (a device paired
     * before keeps its key; pairing it to another owner is a new key on purpose, after removing the old files).
     * Without {@code sync} nothing is forced to disk: the caller makes the whole fleet durable at once.
     */
    public static VerifyingKey createSigningKey(Path deviceDir, SecureRandom random, boolean sync) {
        String deviceId = deviceId(deviceDir);
        Path file = deviceDir.resolve(SIGNING_KEY);
        if (Files.exists(file)) {
            throw new DeviceNotPaired("device " + deviceId + " in " + deviceDir + " already has a " + SIGNING_KEY
                    + "; it was paired before (remove its pairing files to pair it again)");
        }
        SigningKey key = SigningKey.generate(random);
        try {
            KeyFiles.writeDeviceSigningKey(file, deviceId, key, sync);
            return key.publicKey();
        } finally {
            key.destroy();
        }
    }

    /** As {@link #install(Path, VerifyingKey, byte[], byte[], boolean)}, durable before it returns. */
    public static void install(Path deviceDir, VerifyingKey owner, byte[] signedCertificate, byte[] signedList) {
        install(deviceDir, owner, signedCertificate, signedList, true);
    }

    /**
     * Installs what the owner gave at pairing: {@code owner.pub} (the owner's signing public key, the device's trust
     * anchor), {@code device-key.cert} and the first {@code recipients.list}. Each is checked first, so that a
     * mix-up fails here and not at the first clip: the certificate must verify under {@code owner}, name this device
     * and certify the key in {@code signing.key}; the list must verify under {@code owner} and name this device.
     */
    public static void install(
            Path deviceDir, VerifyingKey owner, byte[] signedCertificate, byte[] signedList, boolean sync) {
        String deviceId = deviceId(deviceDir);
        Path keyFile = deviceDir.resolve(SIGNING_KEY);
        if (!Files.exists(keyFile)) {
            throw new DeviceNotPaired("device " + deviceId + " in " + deviceDir + " has no " + SIGNING_KEY
                    + " to certify: create it first (DevicePairing.createSigningKey)");
        }
        VerifyingKey certified;
        try {
            certified = DeviceKeyCertificates.verify(owner, deviceId, signedCertificate);
        } catch (CertificateRefused e) {
            throw new DeviceNotPaired(
                    "device " + deviceId + ": the device key certificate is refused: " + e.getMessage(), e);
        }
        SigningKey own = readSigningKey(keyFile, deviceId);
        try {
            if (!sameKey(own.publicKey(), certified)) {
                throw new DeviceNotPaired("device " + deviceId + ": the device key certificate certifies another key "
                        + "than the one in " + keyFile);
            }
        } finally {
            own.destroy();
        }
        RecipientList first;
        try {
            first = RecipientLists.verify(owner, deviceId, 0, signedList);
        } catch (RecipientListRefused e) {
            throw new DeviceNotPaired(
                    "device " + deviceId + ": the first recipient list is refused (" + e.status() + "): "
                            + e.getMessage(),
                    e);
        }
        // owner.pub as the owner has it: the signing key, and the owner's own viewer key, on every list by its name.
        RecipientPublicKey ownersViewer = RecipientLists.recipients(first).stream()
                .filter(r -> r.name().equals(RecipientPublicKey.OWNER))
                .findFirst()
                .orElseThrow(() -> new DeviceNotPaired("device " + deviceId + ": the first recipient list has no "
                        + "recipient '" + RecipientPublicKey.OWNER + "' (the owner's own viewer key)"));
        try {
            KeyFiles.writeOwnerPublic(deviceDir.resolve(OWNER_PUB), owner, ownersViewer, sync);
            DurableFiles.writePrivate(deviceDir.resolve(DEVICE_KEY_CERT), signedCertificate, sync);
            // Last: a directory with a recipient list has everything before it too.
            DurableFiles.writePrivate(deviceDir.resolve(RECIPIENTS_LIST), signedList, sync);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "device " + deviceId + ": cannot write its pairing files in " + deviceDir, e);
        }
    }

    /** Whether the directory has every file pairing writes (not whether they are valid: {@link #load} checks that). */
    public static boolean isPaired(Path deviceDir) {
        return FILES.stream().allMatch(name -> Files.isRegularFile(deviceDir.resolve(name)));
    }

    /**
     * The paired device: its signing key and certificate, the owner's key and the list in use, each checked against
     * the others. Throws {@link DeviceNotPaired} naming the first missing file, or what does not hold together.
     */
    public static PairedDevice load(Path deviceDir) throws DeviceNotPaired {
        return load(deviceDir, true);
    }

    /**
     * As {@link #load(Path)}, with the chain state in memory only (docs/FLEET.md): for simulated fleet devices and the
     * conformance suite's, which never restart within a run and must not cost three fsyncs per clip.
     */
    public static PairedDevice loadWithChainInMemory(Path deviceDir) throws DeviceNotPaired {
        return load(deviceDir, false);
    }

    /**
     * With {@code durableChain}, the device's chain state is {@code chain.state} in its directory (none before its
     * first clip); one that does not parse or names another device is refused here, in one line naming the file
     * ({@link ChainStateException}), so that the device starts no clip.
     */
    private static PairedDevice load(Path deviceDir, boolean durableChain) {
        String deviceId = deviceId(deviceDir);
        if (durableChain) {
            removeStaleTemporaries(deviceDir, deviceId);
        }
        for (String name : FILES) {
            if (!Files.isRegularFile(deviceDir.resolve(name))) {
                throw new DeviceNotPaired("device " + deviceId + " in " + deviceDir + " is not paired (no " + name
                        + "): pair it with `doorbell pair --owner OWNER --device " + deviceDir + "`");
            }
        }
        VerifyingKey owner = readOwnerKey(deviceDir.resolve(OWNER_PUB), deviceId);
        byte[] certificate = read(deviceDir.resolve(DEVICE_KEY_CERT), deviceId);
        VerifyingKey certified;
        try {
            certified = DeviceKeyCertificates.verify(owner, deviceId, certificate);
        } catch (CertificateRefused e) {
            throw new DeviceNotPaired(
                    "device " + deviceId + ": " + deviceDir.resolve(DEVICE_KEY_CERT)
                            + " does not verify under " + deviceDir.resolve(OWNER_PUB) + ": " + e.getMessage()
                            + "; pair it "
                            + "again",
                    e);
        }
        byte[] signedList = read(deviceDir.resolve(RECIPIENTS_LIST), deviceId);
        RecipientList list;
        try {
            list = RecipientLists.verify(owner, deviceId, 0, signedList);
        } catch (RecipientListRefused e) {
            throw new DeviceNotPaired(
                    "device " + deviceId + ": " + deviceDir.resolve(RECIPIENTS_LIST) + " is refused (" + e.status()
                            + "): " + e.getMessage() + "; pair it again",
                    e);
        }
        SigningKey key = readSigningKey(deviceDir.resolve(SIGNING_KEY), deviceId);
        if (!sameKey(key.publicKey(), certified)) {
            key.destroy();
            throw new DeviceNotPaired("device " + deviceId + ": " + deviceDir.resolve(DEVICE_KEY_CERT)
                    + " certifies another key than the one in " + deviceDir.resolve(SIGNING_KEY) + "; pair it again");
        }
        ChainState chain;
        try {
            chain = durableChain ? ChainState.load(deviceDir, deviceId) : ChainState.inMemory(deviceId);
        } catch (ChainStateException e) {
            key.destroy();
            throw e;
        }
        return new PairedDevice(deviceDir, owner, new DeviceSigner(deviceId, key, certificate), list, chain);
    }

    /**
     * A device process killed mid-update (after the temporary file, before the rename) leaves that file behind: a copy
     * of contents that never took effect, one more per crash. The device deletes them when it starts, before any
     * update can be under way; a fleet device (state in memory) writes none of them and is left alone.
     */
    private static void removeStaleTemporaries(Path deviceDir, String deviceId) {
        List<String> names = new ArrayList<>(FILES);
        names.add(ChainStateFile.NAME);
        for (String name : names) {
            try {
                int deleted = DurableFiles.removeStaleTemporaries(deviceDir.resolve(name));
                if (deleted > 0) {
                    log.info(
                            "device {}: deleted {} temporary file(s) of {} left by an update a crash interrupted",
                            deviceId,
                            deleted,
                            name);
                }
            } catch (IOException e) {
                log.warn("device {}: cannot delete the temporary files of {}: {}", deviceId, name, e.toString());
            }
        }
    }

    private static SigningKey readSigningKey(Path file, String deviceId) {
        KeyFiles.DeviceSigningKey read;
        try {
            read = KeyFiles.readDeviceSigningKey(file);
        } catch (KeyFileException e) {
            throw new DeviceNotPaired("device " + deviceId + ": " + e.getMessage(), e);
        }
        if (!read.deviceId().equals(deviceId)) {
            read.key().destroy();
            throw new DeviceNotPaired(
                    "device " + deviceId + ": " + file + " is the signing key of device " + read.deviceId());
        }
        return read.key();
    }

    private static VerifyingKey readOwnerKey(Path file, String deviceId) {
        try {
            return KeyFiles.readOwnerPublic(file).signing();
        } catch (KeyFileException e) {
            throw new DeviceNotPaired("device " + deviceId + ": " + e.getMessage(), e);
        }
    }

    private static boolean sameKey(VerifyingKey a, VerifyingKey b) {
        return MessageDigest.isEqual(a.bytes(), b.bytes());
    }

    private static byte[] read(Path file, String deviceId) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DeviceNotPaired("device " + deviceId + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
