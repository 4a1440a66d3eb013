package dev.doorbell.seal.v2;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.GcmProvider;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.internal.ClipFormat;
import dev.doorbell.seal.internal.FrameSealer;
import dev.doorbell.seal.keys.internal.Hkdf;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/**
 * Seals one clip in format v2 (docs/FORMAT.md §10): a fresh random clip key {@code k}, wrapped with HPKE to every
 * recipient of the owner-signed list the device holds, the header signed by the device's own key, and the frames
 * exactly as in v1 under the AES key derived from {@code k}. {@code k} itself is erased before {@link #start}
 * returns (nothing needs it once it is wrapped and the AES key derived), the AES key after the final frame or when
 * the clip is abandoned. Not thread-safe.
 */
public final class ClipSealerV2 extends SignedClipSealing {
    public static final int FORMAT_VERSION = 2;

    private ClipSealerV2(ClipHeader header, byte[] headerBytes, FrameSealer frames) {
        super(header, headerBytes, frames);
    }

    /** Starts a clip with the default (JCA) AES-GCM; see {@link #start(DeviceSigner, RecipientList, ClipParams, SecureRandom, GcmProvider)}. */
    public static ClipSealerV2 start(DeviceSigner signer, RecipientList list, ClipParams params, SecureRandom random) {
        return start(signer, list, params, random, GcmProvider.JCA);
    }

    /**
     * Starts clip {@code params.clipId()}: draws {@code k} (32 bytes) and then the nonce prefix (7 bytes) from
     * {@code random}, then for each recipient in list order its HPKE randomness: the 32 bytes of its ephemeral key
     * (X25519) or the 64 bytes of its {@code eseed} (X-Wing). Only the vectors rely on that order. {@code list} is the device's current list, already verified when it arrived.
     *
     * @throws IllegalArgumentException when the signer, the list and the clip are not all of one device, or the list
     *     breaks the rules of {@link RecipientLists#sign}
     */
    public static ClipSealerV2 start(
            DeviceSigner signer, RecipientList list, ClipParams params, SecureRandom random, GcmProvider provider) {
        String deviceId = params.deviceId();
        long clipId = params.clipId();
        List<RecipientPublicKey> recipients = HeaderSealing.recipients(signer, list, deviceId, clipId);
        byte[] clipKey = new byte[ClipFormat.CLIP_KEY_BYTES];
        byte[] aesKey = new byte[ClipFormat.CLIP_KEY_BYTES];
        byte[] commitment = new byte[ClipFormat.COMMITMENT_BYTES];
        byte[] prefix = new byte[ClipFormat.NONCE_PREFIX_BYTES];
        ClipHeader.Builder header = ClipHeader.newBuilder();
        try {
            random.nextBytes(clipKey);
            random.nextBytes(prefix);
            Hkdf.sha256Into(clipKey, null, Contexts.clipKeyInfo(deviceId, clipId), aesKey, commitment);
            HeaderSealing.wrapTo(header, recipients, clipKey, deviceId, clipId, random);
        } catch (RuntimeException e) {
            Arrays.fill(aesKey, (byte) 0);
            throw e;
        } finally {
            Arrays.fill(clipKey, (byte) 0);
        }
        ClipHeader built = header.setFormatVersion(FORMAT_VERSION)
                .setDeviceId(deviceId)
                .setClipId(clipId)
                .setNoncePrefix(ByteString.copyFrom(prefix))
                .setTrigger(params.trigger())
                .setCodec(params.codec())
                .setWidth(params.width())
                .setHeight(params.height())
                .setFps(params.fps())
                .setStartTimeUnixMs(params.startTimeUnixMs())
                .setKeyCommitment(ByteString.copyFrom(commitment))
                .setPreRollMs(params.preRollMs())
                .setRecipientListVersion(list.getVersion())
                .setDeviceKeyCertificate(ByteString.copyFrom(signer.certificate()))
                .build();
        byte[] headerBytes = HeaderSealing.sign(signer, built);
        // The frame sealer takes over aesKey and zeroes it after the final frame.
        FrameSealer frames = new FrameSealer(deviceId, clipId, headerBytes, prefix, aesKey, provider);
        return new ClipSealerV2(built, headerBytes, frames);
    }

    @Override
    public SealedFrame seal(long ptsMicros, byte[] plaintext, boolean last) {
        return frames.seal(ptsMicros, plaintext, last);
    }
}
