package dev.doorbell.owner.identity;

import dev.doorbell.proto.DeviceIds;
import dev.doorbell.seal.v2.DeviceKeyCertificates;
import dev.doorbell.seal.v2.RecipientPublicKey;
import dev.doorbell.seal.v2.VerifyingKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The owner's half of pairing a device (a local step, never through the uplink): the device has made its own signing
 * key and shows its public half; the owner certifies it for that device id (OWNER/devices/ID.cert) and issues the
 * device's first recipient list, version 1 (OWNER/lists/ID.list). The device then gets the certificate, the list
 * and the owner's signing public key, and nothing else of the owner's: the owner module never sees or writes a
 * device's private key.
 */
public final class Pairing {
    private final OwnerDirectory owner;
    private final RecipientSet recipients;
    /** Read once: pairing thousands of devices would otherwise read every viewer's file once per device. */
    private final List<RecipientPublicKey> firstListRecipients;

    /** Pairs devices with {@code owner}; every first list names the recipients the owner has now. */
    public Pairing(OwnerDirectory owner) {
        this.owner = owner;
        this.recipients = new RecipientSet(owner);
        this.firstListRecipients = recipients.recipients();
    }

    /** What the device gets from the owner: the signed certificate of its key and its first signed list. */
    public static final class Paired {
        private final String deviceId;
        private final byte[] certificate;
        private final byte[] list;

        Paired(String deviceId, byte[] certificate, byte[] list) {
            this.deviceId = deviceId;
            this.certificate = certificate;
            this.list = list;
        }

        public String deviceId() {
            return deviceId;
        }

        /** SignedDeviceKeyCertificate bytes. */
        public byte[] certificate() {
            return certificate.clone();
        }

        /** SignedRecipientList bytes, version 1. */
        public byte[] list() {
            return list.clone();
        }
    }

    /**
     * Certifies {@code deviceKey} for {@code deviceId} at {@code nowUnixMs} and issues its first list; refuses a device
     * already paired with this owner. Without {@code sync} the two files are not forced to disk: the caller makes a
     * whole batch durable at once.
     */
    public Paired pair(String deviceId, VerifyingKey deviceKey, long nowUnixMs, boolean sync) {
        DeviceIds.require(deviceId);
        Path certificateFile = owner.certificateFile(deviceId);
        if (Files.exists(certificateFile)) {
            throw new IdentityException("device " + deviceId + " is already paired with this owner (" + certificateFile
                    + "); a device is paired once");
        }
        byte[] certificate = DeviceKeyCertificates.issue(owner.signingKey(), deviceId, deviceKey, nowUnixMs);
        byte[] list = recipients.firstList(deviceId, firstListRecipients, nowUnixMs, sync);
        try {
            OwnerFiles.writePublic(certificateFile, certificate, sync);
        } catch (IOException e) {
            throw new IdentityException("cannot write " + certificateFile + ": " + e.getMessage(), e);
        }
        return new Paired(deviceId, certificate, list);
    }
}
