package dev.doorbell.seal.v2;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.proto.v1.Share;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.SignedShare;
import dev.doorbell.proto.v1.WrappedKey;
import dev.doorbell.seal.ClipHoles;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.FrameWalk;
import dev.doorbell.seal.GcmProvider;
import dev.doorbell.seal.KeyUnavailableException;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.StoredFrameBytes;
import dev.doorbell.seal.internal.ClipFormat;
import dev.doorbell.seal.keys.internal.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Opens stored v2 and v3 clips and names the first thing wrong with them (docs/FORMAT.md §15, §17), in this order: a header that
 * does not parse or has the wrong sizes ("bad header"), a header of another device or clip, a device key the owner
 * did not certify ("unknown device key") or certified but not the paired one ("signed with a key other than the one
 * paired"), a header signature that does not verify ("bad signature"), no wrapped key for this identity ("not a
 * recipient of this clip"), a wrapped key that does not open ("key unwrap failed"), "key commitment mismatch", in v3 a sealed ClipInfo that
 * does not open or check ("bad clip info"); then the frames as v1 (OK, TRUNCATED, TAMPERED at frame N, DAMAGED),
 * by the one {@link FrameWalk} of every format (v3 adds "bad frame info" and "bad padding"). Built from an {@link Identity} (the
 * owner's or a viewer's), or from a share, which opens one clip only. Thread-safe: each call has its own state.
 */
public final class ClipOpenerV2 {
    private static final byte[] KEY_FINGERPRINT_LABEL =
            "doorbell/clip-key-fingerprint\0".getBytes(StandardCharsets.US_ASCII);

    private final Identity identity;
    private final Grant share;
    private final GcmProvider provider;

    private ClipOpenerV2(Identity identity, Grant share, GcmProvider provider) {
        this.identity = identity;
        this.share = share;
        this.provider = provider;
    }

    public ClipOpenerV2(Identity identity) {
        this(identity, null, GcmProvider.JCA);
    }

    /** The same opener on another AES-GCM provider, for cross-checks. */
    public ClipOpenerV2 withProvider(GcmProvider gcmProvider) {
        return new ClipOpenerV2(identity, share, gcmProvider);
    }

    /** The clip a share opens, as its owner signed it. */
    public record SharedClip(
            String deviceId, long clipId, byte[] headerSha256, VerifyingKey ownerKey, long issuedUnixMs) {
        public SharedClip {
            headerSha256 = headerSha256.clone();
        }

        /** A copy of the SHA-256 of the header bytes the owner shared. */
        @Override
        public byte[] headerSha256() {
            return headerSha256.clone();
        }

        @Override
        public String toString() {
            return "SharedClip{device " + deviceId + " clip " + Long.toUnsignedString(clipId) + ", owner "
                    + ownerKey.fingerprint() + "}";
        }
    }

    private record Grant(SharedClip clip, WrappedKey wrapped) {}

    /**
     * An opener for the one clip of a share (docs/FORMAT.md §14), for the third party whose key pair it was made
     * for. The share must parse and verify under the owner key it carries; the clip's device certificate must then
     * verify under that same key, and its header must be the one the owner shared.
     */
    public static ClipOpenerV2 forShare(byte[] signedShare, RecipientKeyPair thirdParty) throws ShareRefused {
        SignedShare signed;
        try {
            signed = SignedShare.parseFrom(signedShare);
        } catch (InvalidProtocolBufferException e) {
            throw new ShareRefused("not a share: the bytes (" + signedShare.length + ") are not a SignedShare");
        }
        if (signed.getOwnerSigningPublicKey().size() != VerifyingKey.BYTES) {
            throw new ShareRefused("share names an owner key of "
                    + signed.getOwnerSigningPublicKey().size() + " bytes, expected " + VerifyingKey.BYTES);
        }
        VerifyingKey owner = new VerifyingKey(signed.getOwnerSigningPublicKey().toByteArray());
        byte[] shareBytes = signed.getShare().toByteArray();
        if (!owner.verify(Contexts.SHARE, shareBytes, signed.getSignature().toByteArray())) {
            throw new ShareRefused("share is not signed by the owner key it names, " + owner.fingerprint());
        }
        Share s;
        try {
            s = Share.parseFrom(shareBytes);
        } catch (InvalidProtocolBufferException e) {
            throw new ShareRefused("share signed by owner " + owner.fingerprint() + " does not parse as a Share");
        }
        String what = "share of clip " + Long.toUnsignedString(s.getClipId()) + " of device '"
                + RecipientLists.printable(s.getDeviceId()) + "' (owner " + owner.fingerprint() + ")";
        if (!DeviceIds.isValid(s.getDeviceId())) {
            throw new ShareRefused(what + ": the device id is not valid");
        }
        if (s.getHeaderSha256().size() != 32) {
            throw new ShareRefused(
                    what + ": header_sha256 is " + s.getHeaderSha256().size() + " bytes, expected 32");
        }
        String wrapped = wrappedKeyProblem(s.getWrapped());
        if (wrapped != null) {
            throw new ShareRefused(what + ": the wrapped key " + wrapped);
        }
        SharedClip clip = new SharedClip(
                s.getDeviceId(), s.getClipId(), s.getHeaderSha256().toByteArray(), owner, s.getIssuedUnixMs());
        return new ClipOpenerV2(
                Identity.of(owner, List.of(thirdParty)), new Grant(clip, s.getWrapped()), GcmProvider.JCA);
    }

    /** The clip this opener's share opens; empty for an opener built from an identity. */
    public Optional<SharedClip> sharedClip() {
        return share == null ? Optional.empty() : Optional.of(share.clip());
    }

    /**
     * Opens the clip stored as ({@code storedDeviceId}, {@code storedClipId}) from the header bytes and frames as
     * stored, in stored order.
     *
     * @throws KeyUnavailableException for a v1 clip (it opens with the owner's keyring), and, for a share, any clip
     *     but the shared one
     */
    public ClipVerdict open(
            String storedDeviceId, long storedClipId, byte[] headerBytes, List<StoredFrameBytes> framesInStoredOrder) {
        return open(storedDeviceId, storedClipId, headerBytes, framesInStoredOrder, ClipHoles.NONE);
    }

    /**
     * As {@link #open(String, long, byte[], List)} for a clip as a store reader found it (docs/FORMAT.md §6):
     * {@code headerBytes} is null when no header record is stored.
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
        Unwrapped unwrapped = unwrap(storedDeviceId, storedClipId, headerBytes);
        if (unwrapped.refusal != null) {
            return unwrapped.refusal;
        }
        return walkAndErase(unwrapped, headerBytes, framesInStoredOrder, holes);
    }

    /**
     * A fingerprint of the clip key {@code k} of a clip whose header passes every check up to the key commitment (and
     * in v3 the sealed info), or empty: SHA-256 of {@code "doorbell/clip-key-fingerprint" ‖ 0x00 ‖ k}. Two clips with
     * the same fingerprint share one clip key, so that whoever opens one opens both: a device whose key generation
     * repeats (a stuck random source, firmware that caches {@code k}). The clip id is mixed into every key derived from
     * {@code k} (FORMAT.md §10, §17.2), so no public field shows this; only a holder of an opening key can compare.
     * {@code k} is zeroed before this returns; the fingerprint reveals nothing of it and is for comparison in memory.
     */
    public Optional<byte[]> clipKeyFingerprint(String storedDeviceId, long storedClipId, byte[] headerBytes) {
        Unwrapped unwrapped;
        try {
            unwrapped = unwrap(storedDeviceId, storedClipId, headerBytes);
        } catch (KeyUnavailableException e) {
            return Optional.empty();
        }
        if (unwrapped.refusal != null) {
            return Optional.empty();
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(KEY_FINGERPRINT_LABEL);
            sha256.update(unwrapped.clipKey);
            return Optional.of(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        } finally {
            Arrays.fill(unwrapped.clipKey, (byte) 0);
            Arrays.fill(unwrapped.aesKey, (byte) 0);
        }
    }

    /** The frames of a clip whose header passed; zeroes the unwrapped clip key at once and the AES key after. */
    ClipVerdict walkAndErase(
            Unwrapped unwrapped, byte[] headerBytes, List<StoredFrameBytes> framesInStoredOrder, ClipHoles holes) {
        Arrays.fill(unwrapped.clipKey, (byte) 0);
        return FrameWalk.walk(
                unwrapped.header, unwrapped.info, headerBytes, unwrapped.aesKey, provider, framesInStoredOrder, holes);
    }

    /** Convenience for frames straight from a sealer, in the order given. */
    public ClipVerdict open(String storedDeviceId, long storedClipId, byte[] headerBytes, SealedFrame... frames) {
        List<StoredFrameBytes> stored = new ArrayList<>();
        for (SealedFrame frame : frames) {
            stored.add(frame.toStored());
        }
        return open(storedDeviceId, storedClipId, headerBytes, stored);
    }

    /**
     * The header checks of docs/FORMAT.md §15 up to the key commitment (and in v3 the sealed info): a refusal, or
     * the header with the clip key and the AES key, which the caller owns and zeroes, and in v3 the opened ClipInfo.
     */
    static final class Unwrapped {
        final ClipVerdict refusal;
        final ClipHeader header;
        final byte[] clipKey;
        final byte[] aesKey;
        /** The opened ClipInfo of a v3 clip; null for v2. */
        final ClipInfo info;

        private Unwrapped(ClipVerdict refusal, ClipHeader header, byte[] clipKey, byte[] aesKey, ClipInfo info) {
            this.refusal = refusal;
            this.header = header;
            this.clipKey = clipKey;
            this.aesKey = aesKey;
            this.info = info;
        }

        static Unwrapped refused(ClipHeader header, String reason) {
            return new Unwrapped(ClipVerdict.badHeader(header, reason), header, null, null, null);
        }
    }

    Unwrapped unwrap(String storedDeviceId, long storedClipId, byte[] headerBytes) {
        String where = "stored as device " + storedDeviceId + " clip " + Long.toUnsignedString(storedClipId);
        String clip = "clip " + Long.toUnsignedString(storedClipId) + " of device " + storedDeviceId;
        if (share != null
                && !(share.clip().deviceId().equals(storedDeviceId)
                        && share.clip().clipId() == storedClipId)) {
            throw new KeyUnavailableException("cannot open " + clip + " with this share: it opens clip "
                    + Long.toUnsignedString(share.clip().clipId()) + " of device "
                    + share.clip().deviceId()
                    + " only");
        }
        if (HeaderFormat.version(headerBytes) == HeaderFormat.V1) {
            throw new KeyUnavailableException("cannot open " + clip + " with an identity: it is a format v1 clip,"
                    + " which opens with the owner's keyring (--keyring)");
        }
        SignedClipHeader signed;
        ClipHeader header;
        try {
            signed = SignedClipHeader.parseFrom(headerBytes);
            header = ClipHeader.parseFrom(signed.getHeader());
        } catch (InvalidProtocolBufferException e) {
            return Unwrapped.refused(
                    null,
                    "bad header (not a parsable SignedClipHeader around a ClipHeader: " + e.getMessage() + "; " + where
                            + ")");
        }
        String problem = V2HeaderCheck.problem(signed, header, storedDeviceId, storedClipId);
        if (problem != null) {
            return Unwrapped.refused(header, problem);
        }
        if (share != null && !MessageDigest.isEqual(share.clip().headerSha256(), ClipFormat.sha256(headerBytes))) {
            return Unwrapped.refused(
                    header,
                    "header differs from the shared one (SHA-256 of the stored header is not the one the owner "
                            + share.clip().ownerKey().fingerprint() + " shared; " + where + ")");
        }
        VerifyingKey owner = identity.ownerKey();
        VerifyingKey deviceKey;
        try {
            deviceKey = DeviceKeyCertificates.verify(
                    owner, storedDeviceId, header.getDeviceKeyCertificate().toByteArray());
        } catch (CertificateRefused e) {
            return Unwrapped.refused(header, "unknown device key (" + e.getMessage() + "; " + where + ")");
        }
        Optional<VerifyingKey> paired = identity.pairedDeviceKey(storedDeviceId);
        if (paired.isPresent() && !paired.get().equals(deviceKey)) {
            return Unwrapped.refused(
                    header,
                    "signed with a key other than the one paired (the header's certified key "
                            + deviceKey.fingerprint() + ", paired key "
                            + paired.get().fingerprint() + "; " + where
                            + ")");
        }
        if (!deviceKey.verify(
                Contexts.CLIP_HEADER,
                signed.getHeader().toByteArray(),
                signed.getSignature().toByteArray())) {
            return Unwrapped.refused(
                    header,
                    "bad signature (the header signature does not verify under device key " + deviceKey.fingerprint()
                            + "; " + where + ")");
        }
        List<WrappedKey> offered = share != null ? List.of(share.wrapped()) : header.getWrappedKeysList();
        List<Candidate> candidates = candidates(offered);
        if (candidates.isEmpty()) {
            return Unwrapped.refused(
                    header,
                    "not a recipient of this clip (" + offered.size() + " wrapped keys, recipient list version "
                            + Long.toUnsignedString(header.getRecipientListVersion()) + "; none for key ids "
                            + keyIds() + "; " + where + ")");
        }
        byte[] clipKey = null;
        byte[] info = Contexts.wrapInfo(storedDeviceId, storedClipId);
        for (Candidate c : candidates) {
            try {
                byte[] k = c.pair.open(
                        c.wrapped.getEnc().toByteArray(),
                        c.wrapped.getCiphertext().toByteArray(),
                        info,
                        c.wrapped.getRecipientKeyId().toByteArray());
                if (k.length == ClipFormat.CLIP_KEY_BYTES) {
                    clipKey = k;
                    break;
                }
                Arrays.fill(k, (byte) 0);
            } catch (Hpke.OpenFailed e) {
                // Another candidate may still open; the verdict below names the failure if none does.
            }
        }
        if (clipKey == null) {
            return Unwrapped.refused(
                    header,
                    "key unwrap failed (the wrapped key for "
                            + candidates.get(0).pair.name() + " does not open"
                            + " with its private key: altered, or wrapped for another clip; " + where + ")");
        }
        boolean v3 = header.getFormatVersion() == ClipSealerV3.FORMAT_VERSION;
        byte[] aesKey = new byte[ClipFormat.CLIP_KEY_BYTES];
        byte[] commitment = new byte[ClipFormat.COMMITMENT_BYTES];
        byte[] infoKey = new byte[v3 ? ClipFormat.CLIP_KEY_BYTES : 0];
        byte[] okmInfo = v3
                ? Contexts.clipKeyInfoV3(storedDeviceId, storedClipId)
                : Contexts.clipKeyInfo(storedDeviceId, storedClipId);
        Hkdf.sha256Into(clipKey, null, okmInfo, aesKey, commitment, infoKey);
        if (!MessageDigest.isEqual(commitment, header.getKeyCommitment().toByteArray())) {
            Arrays.fill(clipKey, (byte) 0);
            Arrays.fill(aesKey, (byte) 0);
            Arrays.fill(infoKey, (byte) 0);
            return Unwrapped.refused(
                    header,
                    "key commitment mismatch (the unwrapped clip key does not match this header's commitment: a"
                            + " wrapped key made for another clip, or a forged header; " + where + ")");
        }
        if (!v3) {
            return new Unwrapped(null, header, clipKey, aesKey, null);
        }
        // Step 7b: the info key is used once, here, and the sealing zeroes it.
        SealedClipInfo.Result opened = SealedClipInfo.open(
                infoKey, storedDeviceId, storedClipId, header.getSealedInfo().toByteArray(), provider, where);
        if (opened.problem() != null) {
            Arrays.fill(clipKey, (byte) 0);
            Arrays.fill(aesKey, (byte) 0);
            return Unwrapped.refused(header, opened.problem());
        }
        return new Unwrapped(null, header, clipKey, aesKey, opened.info());
    }

    private record Candidate(WrappedKey wrapped, RecipientKeyPair pair) {}

    /** Each wrapped key with each of this identity's key pairs of the same key id and kem, in header order. */
    private List<Candidate> candidates(List<WrappedKey> offered) {
        List<Candidate> out = new ArrayList<>();
        for (WrappedKey w : offered) {
            byte[] id = w.getRecipientKeyId().toByteArray();
            for (RecipientKeyPair pair : identity.recipientKeys()) {
                if (w.getKem() == pair.publicKey().kem() && MessageDigest.isEqual(id, pair.keyId())) {
                    out.add(new Candidate(w, pair));
                }
            }
        }
        return out;
    }

    private String keyIds() {
        List<String> ids = new ArrayList<>();
        for (RecipientKeyPair pair : identity.recipientKeys()) {
            ids.add(HexFormat.of().formatHex(pair.keyId()));
        }
        return String.join(", ", ids);
    }

    /** What is wrong with the sizes of a wrapped key, or null. */
    static String wrappedKeyProblem(WrappedKey w) {
        if (w.getRecipientKeyId().size() != RecipientPublicKey.KEY_ID_BYTES) {
            return "has a key id of " + w.getRecipientKeyId().size() + " bytes, expected "
                    + RecipientPublicKey.KEY_ID_BYTES;
        }
        Kem kem = Kem.byId(w.getKem()).orElse(null);
        if (kem == null) {
            return "has kem " + Kem.hex(w.getKem()) + ", expected " + Kem.known();
        }
        if (w.getEnc().size() != kem.encBytes()) {
            return "has an enc of " + w.getEnc().size() + " bytes, expected " + kem.encBytes() + " for kem "
                    + kem.label();
        }
        int ciphertext = ClipFormat.CLIP_KEY_BYTES + Hpke.TAG_BYTES;
        if (w.getCiphertext().size() != ciphertext) {
            return "has a ciphertext of " + w.getCiphertext().size() + " bytes, expected " + ciphertext;
        }
        return null;
    }
}
