package dev.doorbell.owner.identity;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.SignedRecipientList;
import dev.doorbell.seal.keys.KeyFileException;
import dev.doorbell.seal.v2.Kem;
import dev.doorbell.seal.v2.KeyFiles;
import dev.doorbell.seal.v2.RecipientLists;
import dev.doorbell.seal.v2.RecipientPublicKey;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Who may open the future clips of the owner's devices: the owner's own viewer key and every viewer in
 * OWNER/viewers/. Each change issues, for every paired device, a new list (its version one above the last one issued
 * for that device) signed by the owner into OWNER/lists/ID.list, which the operator publishes through the uplink.
 *
 * <p>A device uses a list from the moment it has it: a viewer added opens the clips made after that, and a viewer
 * removed cannot open them any more, while the clips it could open before stay open to it (it may have kept them and
 * their keys).
 */
public final class RecipientSet {
    /** The most recipients a list holds (docs/FORMAT.md, recipient lists). */
    public static final int MAX_RECIPIENTS = RecipientLists.MAX_RECIPIENTS;

    private final OwnerDirectory owner;

    public RecipientSet(OwnerDirectory owner) {
        this.owner = owner;
    }

    /** One list written: the device, its new version and where it is. */
    public record IssuedList(String deviceId, long version, Path file) {}

    /** The recipients, the owner's own first, then the viewers by name. */
    public List<RecipientPublicKey> recipients() {
        List<RecipientPublicKey> viewers = new ArrayList<>();
        RecipientPublicKey own = null;
        try (DirectoryStream<Path> files =
                Files.newDirectoryStream(owner.viewersDir(), "*" + OwnerDirectory.VIEWER_SUFFIX)) {
            for (Path file : files) {
                RecipientPublicKey key = KeyFiles.readViewerPublic(file);
                String expected = key.name() + OwnerDirectory.VIEWER_SUFFIX;
                if (!file.getFileName().toString().equals(expected)) {
                    throw new IdentityException(
                            file + " holds the key of viewer '" + key.name() + "'; it must be named " + expected);
                }
                if (OwnerDirectory.OWNER_VIEWER.equals(key.name())) {
                    own = key;
                } else {
                    viewers.add(key);
                }
            }
        } catch (IOException e) {
            throw new IdentityException("cannot list " + owner.viewersDir() + ": " + e.getMessage(), e);
        }
        if (own == null
                || !Arrays.equals(own.publicKey(), owner.viewerKey().publicKey().publicKey())) {
            // The owner's own key is derived from the secret; the file is only there to be listed with the others.
            own = owner.viewerKey().publicKey();
        }
        viewers.sort(Comparator.comparing(RecipientPublicKey::name));
        List<RecipientPublicKey> all = new ArrayList<>();
        all.add(own);
        all.addAll(viewers);
        return all;
    }

    /**
     * Adds the viewer whose viewer.pub is {@code viewerPublicFile} and issues new lists; refuses a name or a key
     * already present and a 65th recipient.
     */
    public List<IssuedList> add(Path viewerPublicFile, long nowUnixMs) {
        RecipientPublicKey viewer;
        try {
            viewer = KeyFiles.readViewerPublic(viewerPublicFile);
        } catch (KeyFileException e) {
            throw new IdentityException(e.getMessage(), e);
        }
        ViewerNames.require(viewer.name());
        List<RecipientPublicKey> current = recipients();
        for (RecipientPublicKey r : current) {
            if (r.name().equals(viewer.name())) {
                throw new IdentityException("a viewer named '" + viewer.name() + "' is already a recipient ("
                        + owner.viewersDir().resolve(r.name() + OwnerDirectory.VIEWER_SUFFIX)
                        + "); remove it first or give the new viewer another name");
            }
            if (Arrays.equals(r.publicKey(), viewer.publicKey())) {
                throw new IdentityException(
                        "the key in " + viewerPublicFile + " is already the key of recipient '" + r.name() + "'");
            }
        }
        if (current.size() >= MAX_RECIPIENTS) {
            throw new IdentityException("the owner has " + current.size() + " recipients, the most a list holds;"
                    + " remove one before adding '" + viewer.name() + "'");
        }
        try {
            KeyFiles.writeViewerPublic(
                    owner.viewersDir().resolve(viewer.name() + OwnerDirectory.VIEWER_SUFFIX), viewer);
        } catch (KeyFileException e) {
            throw new IdentityException(e.getMessage(), e);
        }
        return issueAll(nowUnixMs);
    }

    /** Removes viewer {@code name} and issues new lists; the owner's own viewer cannot be removed. */
    public List<IssuedList> remove(String name, long nowUnixMs) {
        if (OwnerDirectory.OWNER_VIEWER.equals(name)) {
            throw new IdentityException("the owner's own viewer key '" + name + "' cannot be removed: it is derived"
                    + " from the owner's secret and is in every list, so that the owner can always open every clip");
        }
        ViewerNames.require(name);
        Path file = owner.viewersDir().resolve(name + OwnerDirectory.VIEWER_SUFFIX);
        try {
            if (!Files.deleteIfExists(file)) {
                throw new IdentityException("no viewer named '" + name + "' (" + file + " does not exist); the"
                        + " recipients are "
                        + recipients().stream().map(RecipientPublicKey::name).toList());
            }
            OwnerFiles.syncDirectory(owner.viewersDir());
        } catch (IOException e) {
            throw new IdentityException("cannot remove " + file + ": " + e.getMessage(), e);
        }
        return issueAll(nowUnixMs);
    }

    /** A new list for every paired device, version one above the last one issued for it. */
    public List<IssuedList> issueAll(long nowUnixMs) {
        List<RecipientPublicKey> recipients = recipients();
        List<IssuedList> issued = new ArrayList<>();
        for (String deviceId : owner.pairedDevices()) {
            long version = currentVersion(deviceId) + 1;
            issued.add(write(deviceId, sign(deviceId, version, nowUnixMs, recipients), version, true));
        }
        return issued;
    }

    /** The first list of a device being paired (version 1), written to OWNER/lists/ID.list; its signed bytes. */
    byte[] firstList(String deviceId, List<RecipientPublicKey> recipients, long nowUnixMs, boolean sync) {
        byte[] signed = sign(deviceId, 1, nowUnixMs, recipients);
        write(deviceId, signed, 1, sync);
        return signed;
    }

    byte[] sign(String deviceId, long version, long nowUnixMs, List<RecipientPublicKey> recipients) {
        RecipientList.Builder list = RecipientList.newBuilder()
                .setDeviceId(deviceId)
                .setVersion(version)
                .setIssuedUnixMs(nowUnixMs);
        recipients.forEach(r -> list.addRecipients(r.toProto()));
        return RecipientLists.sign(owner.signingKey(), list.build());
    }

    private IssuedList write(String deviceId, byte[] signed, long version, boolean sync) {
        Path file = owner.listFile(deviceId);
        try {
            OwnerFiles.writePublic(file, signed, sync);
        } catch (IOException e) {
            throw new IdentityException(
                    "cannot write the recipient list of " + deviceId + " to " + file + ": " + e.getMessage(), e);
        }
        return new IssuedList(deviceId, version, file);
    }

    /** The version of the last list issued for {@code deviceId}, 0 if none. */
    public long currentVersion(String deviceId) {
        return currentList(deviceId).map(RecipientList::getVersion).orElse(0L);
    }

    /** The recipients of the last list issued for {@code deviceId}, in list order; empty if none. */
    public List<RecipientPublicKey> currentRecipients(String deviceId) {
        return currentList(deviceId).map(RecipientLists::recipients).orElse(List.of());
    }

    /**
     * The recipients of {@code recipients} whose wrap of a clip key a quantum computer could open (X25519): a clip is
     * closed to a "harvest now, decrypt later" adversary only when this is empty, as every wrap of its key opens it.
     */
    public static List<String> classicalRecipients(List<RecipientPublicKey> recipients) {
        return recipients.stream()
                .filter(r -> r.kemType() != Kem.X_WING)
                .map(RecipientPublicKey::name)
                .toList();
    }

    /**
     * One line on whether the clips of a list of {@code recipients} are protected against a quantum attacker:
     * "post-quantum: yes (every recipient is x-wing)" or "post-quantum: no (x25519 recipients: owner, laptop)".
     */
    public static String postQuantumSummary(List<RecipientPublicKey> recipients) {
        List<String> classical = classicalRecipients(recipients);
        return classical.isEmpty()
                ? "post-quantum: yes (every recipient is " + Kem.X_WING.fileName() + ")"
                : "post-quantum: no (" + Kem.X25519.fileName() + " recipients: " + String.join(", ", classical) + ")";
    }

    private Optional<RecipientList> currentList(String deviceId) {
        Path file = owner.listFile(deviceId);
        try {
            SignedRecipientList signed = SignedRecipientList.parseFrom(Files.readAllBytes(file));
            return Optional.of(RecipientList.parseFrom(signed.getList()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (InvalidProtocolBufferException e) {
            throw new IdentityException(file + " is not a signed recipient list: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IdentityException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
