package dev.doorbell.owner.identity;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.Share;
import dev.doorbell.proto.v1.SignedShare;
import dev.doorbell.seal.keys.KeyFileException;
import dev.doorbell.seal.keys.KeyFileText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A share on disk (docs/FORMAT.md "Format v2", shares), in the layout of every key file:
 *
 * <pre>
 *   doorbell-share v2
 *   device: front-door
 *   clip: 00000000000004d2
 *   share: base64(SignedShare bytes)
 * </pre>
 *
 * The device and clip lines are for people; a reader refuses a file whose lines disagree with the signed share. The
 * file opens one clip for whoever holds the recipient's private key, so it is written 0600.
 */
public final class ShareFile {
    public static final String MAGIC = "doorbell-share v2";

    private final String deviceId;
    private final long clipId;
    private final byte[] signedShare;
    private final byte[] ownerSigningKey;

    private ShareFile(String deviceId, long clipId, byte[] signedShare, byte[] ownerSigningKey) {
        this.deviceId = deviceId;
        this.clipId = clipId;
        this.signedShare = signedShare;
        this.ownerSigningKey = ownerSigningKey;
    }

    /** The public key the share says signed it (the opener checks the signature and the clip against it). */
    public byte[] ownerSigningKey() {
        return ownerSigningKey.clone();
    }

    public String deviceId() {
        return deviceId;
    }

    public long clipId() {
        return clipId;
    }

    /** The SignedShare bytes. */
    public byte[] signedShare() {
        return signedShare.clone();
    }

    public String clipName() {
        return String.format("%016x", clipId);
    }

    public static void write(Path file, String deviceId, long clipId, byte[] signedShare) {
        String text = MAGIC + "\n" + "device: " + deviceId + "\n" + "clip: " + String.format("%016x", clipId) + "\n"
                + "share: " + Base64.getEncoder().encodeToString(signedShare) + "\n";
        try {
            OwnerFiles.writePrivate(file, text.getBytes(StandardCharsets.UTF_8), true);
        } catch (IOException e) {
            throw new IdentityException("cannot write the share to " + file + ": " + e.getMessage(), e);
        }
    }

    public static ShareFile read(Path file) {
        Map<String, String> fields;
        try {
            fields = KeyFileText.parse(file, MAGIC, List.of("device", "clip", "share"));
        } catch (KeyFileException e) {
            throw new IdentityException(e.getMessage(), e);
        }
        byte[] signed;
        SignedShare outer;
        Share share;
        try {
            signed = Base64.getDecoder().decode(fields.get("share"));
            outer = SignedShare.parseFrom(signed);
            share = Share.parseFrom(outer.getShare());
        } catch (IllegalArgumentException | InvalidProtocolBufferException e) {
            throw new IdentityException(file + ": 'share' is not a base64 SignedShare: " + e.getMessage(), e);
        }
        String clip = String.format("%016x", share.getClipId());
        if (!share.getDeviceId().equals(fields.get("device")) || !clip.equals(fields.get("clip"))) {
            throw new IdentityException(file + " says device " + fields.get("device") + " clip " + fields.get("clip")
                    + " but its signed share is for device " + share.getDeviceId() + " clip " + clip);
        }
        return new ShareFile(
                share.getDeviceId(),
                share.getClipId(),
                signed,
                outer.getOwnerSigningPublicKey().toByteArray());
    }
}
