package dev.doorbell.seal.v2;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.proto.v1.FrameInfo;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.GcmProvider;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.internal.ClipFormat;
import dev.doorbell.seal.internal.FramePlaintextV3;
import dev.doorbell.seal.internal.FrameSealer;
import dev.doorbell.seal.keys.internal.Hkdf;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/**
 * Seals one clip in format v3 (docs/FORMAT.md §17): v2's keys, wrapping and signature, but what happened is sealed.
 * The header holds only what routing, storage and key lookup need, the clip's link in the device's chain, and the
 * ClipInfo (trigger, size, start time, pre-roll, padding, ring presses) sealed under the info key; each frame's
 * plaintext carries its FrameInfo (pts, image length, motion score, ring flag) before the image, padded to the
 * clip's bucket, and the frame's public meta is empty. Not thread-safe.
 */
public final class ClipSealerV3 extends SignedClipSealing {
    public static final int FORMAT_VERSION = 3;
    /** OKM bytes: AES key, key commitment, info key. */
    static final int OKM_BYTES = 96;

    private static final byte[] NO_META = new byte[0];

    private final ClipInfo info;

    private ClipSealerV3(ClipHeader header, ClipInfo info, byte[] headerBytes, FrameSealer frames) {
        super(header, headerBytes, frames);
        this.info = info;
    }

    /** Starts a clip with the default (JCA) AES-GCM; see the overload with a {@link GcmProvider}. */
    public static ClipSealerV3 start(
            DeviceSigner signer,
            RecipientList list,
            ClipParams params,
            ChainLink chain,
            List<Long> ringUnixMs,
            int padTo,
            SecureRandom random) {
        return start(signer, list, params, chain, ringUnixMs, padTo, random, GcmProvider.JCA);
    }

    /**
     * Starts clip {@code params.clipId()} (drawn by the caller with {@link ClipIds#random}): draws {@code k} (32
     * bytes), then the nonce prefix (7 bytes), then for each recipient in list order its HPKE randomness, exactly as
     * v2; nothing is drawn for the info, whose key is used once. {@code chain} is this clip's link, {@code ringUnixMs}
     * the button presses known now (a ring clip has at least one), {@code padTo} the frame bucket (0 = off).
     *
     * @throws IllegalArgumentException when the signer, the list and the clip are not all of one device, the list
     *     breaks the rules of {@link RecipientLists#sign}, the clip id is 0, the chain link or the ring presses are
     *     not valid, or {@code padTo} is not a valid {@link Padding}
     */
    public static ClipSealerV3 start(
            DeviceSigner signer,
            RecipientList list,
            ClipParams params,
            ChainLink chain,
            List<Long> ringUnixMs,
            int padTo,
            SecureRandom random,
            GcmProvider provider) {
        String deviceId = params.deviceId();
        long clipId = params.clipId();
        String clip = "clip " + Long.toUnsignedString(clipId) + " of device " + deviceId;
        if (clipId == 0) {
            throw new IllegalArgumentException(clip + ": a v3 clip id is never 0 (0 means no predecessor)");
        }
        if (!Padding.isValid(padTo)) {
            throw new IllegalArgumentException(clip + ": " + invalidPad(padTo));
        }
        String link = V2HeaderCheck.chainProblem(chain, clipId);
        if (link != null) {
            throw new IllegalArgumentException(clip + ": " + link);
        }
        ClipInfo info = clipInfo(params, ringUnixMs, padTo, clip);
        List<RecipientPublicKey> recipients = HeaderSealing.recipients(signer, list, deviceId, clipId);
        byte[] clipKey = new byte[ClipFormat.CLIP_KEY_BYTES];
        byte[] aesKey = new byte[ClipFormat.CLIP_KEY_BYTES];
        byte[] commitment = new byte[ClipFormat.COMMITMENT_BYTES];
        byte[] infoKey = new byte[ClipFormat.CLIP_KEY_BYTES];
        byte[] prefix = new byte[ClipFormat.NONCE_PREFIX_BYTES];
        ClipHeader.Builder header = ClipHeader.newBuilder();
        byte[] sealedInfo;
        try {
            random.nextBytes(clipKey);
            random.nextBytes(prefix);
            Hkdf.sha256Into(clipKey, null, Contexts.clipKeyInfoV3(deviceId, clipId), aesKey, commitment, infoKey);
            HeaderSealing.wrapTo(header, recipients, clipKey, deviceId, clipId, random);
            sealedInfo = SealedClipInfo.seal(infoKey, deviceId, clipId, info, provider);
        } catch (RuntimeException e) {
            Arrays.fill(aesKey, (byte) 0);
            throw e;
        } finally {
            Arrays.fill(clipKey, (byte) 0);
            Arrays.fill(infoKey, (byte) 0);
        }
        ClipHeader built = header.setFormatVersion(FORMAT_VERSION)
                .setDeviceId(deviceId)
                .setClipId(clipId)
                .setNoncePrefix(ByteString.copyFrom(prefix))
                .setKeyCommitment(ByteString.copyFrom(commitment))
                .setRecipientListVersion(list.getVersion())
                .setDeviceKeyCertificate(ByteString.copyFrom(signer.certificate()))
                .setChain(chain)
                .setSealedInfo(ByteString.copyFrom(sealedInfo))
                .build();
        byte[] headerBytes = HeaderSealing.sign(signer, built);
        // The frame sealer takes over aesKey and zeroes it after the final frame.
        FrameSealer frames = new FrameSealer(deviceId, clipId, headerBytes, prefix, aesKey, provider);
        return new ClipSealerV3(built, info, headerBytes, frames);
    }

    private static ClipInfo clipInfo(ClipParams params, List<Long> ringUnixMs, int padTo, String clip) {
        if (ringUnixMs == null) {
            throw new IllegalArgumentException(clip + ": ring presses must not be null (an empty list: none)");
        }
        for (Long ring : ringUnixMs) {
            if (ring == null || ring < 0) {
                throw new IllegalArgumentException(clip + ": ring press time " + ring + " ms is not a Unix time");
            }
        }
        if (params.trigger() == Trigger.TRIGGER_RING && ringUnixMs.isEmpty()) {
            throw new IllegalArgumentException(
                    clip + ": a ring clip has at least one ring press, the one that" + " started it");
        }
        ClipInfo info = ClipInfo.newBuilder()
                .setTrigger(params.trigger())
                .setCodec(params.codec())
                .setWidth(params.width())
                .setHeight(params.height())
                .setFps(params.fps())
                .setStartTimeUnixMs(params.startTimeUnixMs())
                .setPreRollMs(params.preRollMs())
                .setPadTo(padTo)
                .addAllRingUnixMs(ringUnixMs)
                .build();
        String problem = SealedClipInfo.problem(info);
        if (problem != null) {
            throw new IllegalArgumentException(clip + ": " + problem);
        }
        return info;
    }

    static String invalidPad(long padTo) {
        return "pad " + padTo + " bytes: use 0 (off) or " + Padding.MIN + ".." + Padding.MAX + " bytes, a multiple of "
                + Padding.MULTIPLE + " (" + Padding.RECOMMENDED + " is the recommended bucket)";
    }

    /** The ClipInfo sealed in the header. */
    public ClipInfo info() {
        return info;
    }

    /** Seals a frame with no motion score and no ring press: {@code seal(new FrameFacts(pts, 0, false), ...)}. */
    @Override
    public SealedFrame seal(long ptsMicros, byte[] image, boolean last) {
        return seal(new FrameFacts(ptsMicros, 0, false), image, last);
    }

    /** Seals the next frame: its FrameInfo, the image and the padding inside the seal; the meta is empty. */
    @Override
    public SealedFrame seal(FrameFacts facts, byte[] image, boolean last) {
        FrameInfo frameInfo = FrameInfo.newBuilder()
                .setPtsUs(facts.ptsMicros())
                .setImageLength(image.length)
                .setMotionPermille(facts.motionPermille())
                .setRingPressed(facts.ringPressed())
                .build();
        return frames.sealWithMeta(NO_META, FramePlaintextV3.build(frameInfo, image, info.getPadTo()), last);
    }
}
