package dev.doorbell.seal;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.proto.v1.FrameInfo;
import dev.doorbell.proto.v1.FrameMeta;
import dev.doorbell.seal.internal.AesGcm;
import dev.doorbell.seal.internal.ClipFormat;
import dev.doorbell.seal.internal.FramePlaintextV3;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.AEADBadTagException;

/**
 * Walks the frames of one clip in stored order after the header and key commitment passed, and stops at the first
 * problem: the STREAM checks of docs/FORMAT.md §4 (position and finality are bound by nonce and AAD, so only
 * the frame at the expected position with a verifying tag is accepted). One walk for every format: v1 and v2 frames
 * carry their FrameMeta beside the sealed bytes, v3 frames carry none and seal their FrameInfo and padding inside
 * (docs/FORMAT.md §17), which is the only place the walk differs.
 */
public final class FrameWalk {
    private final ClipHeader header;
    private final byte[] headerHash;
    private final byte[] noncePrefix;
    private final AesGcm gcm;
    private final String clip;
    private final ClipInfo info;
    private final List<OpenedFrame> verified = new ArrayList<>();

    FrameWalk(ClipHeader header, byte[] headerHash, AesGcm gcm) {
        this(header, null, headerHash, gcm);
    }

    private FrameWalk(ClipHeader header, ClipInfo info, byte[] headerHash, AesGcm gcm) {
        this.header = header;
        this.info = info;
        this.headerHash = headerHash;
        this.noncePrefix = header.getNoncePrefix().toByteArray();
        this.gcm = gcm;
        this.clip = "device " + header.getDeviceId() + " clip " + Long.toUnsignedString(header.getClipId());
    }

    /**
     * The frames of a clip whose header and key commitment passed, walked as docs/FORMAT.md §4 says, for v1 and v2
     * alike: {@code header} is the ClipHeader (its nonce prefix, device and clip), {@code headerBytes} the bytes stored
     * in ClipOpen.header, which every frame's AAD hashes. Takes ownership of {@code aesKey} and zeroes it before it
     * returns, whatever happens.
     */
    public static ClipVerdict walk(
            ClipHeader header,
            byte[] headerBytes,
            byte[] aesKey,
            GcmProvider provider,
            List<StoredFrameBytes> framesInStoredOrder,
            ClipHoles holes) {
        return walk(header, null, headerBytes, aesKey, provider, framesInStoredOrder, holes);
    }

    /**
     * As {@link #walk(ClipHeader, byte[], byte[], GcmProvider, List, ClipHoles)}, for a v3 clip when {@code info}
     * (its opened ClipInfo, which says how frames are padded) is not null: every frame's meta must then be empty and
     * its plaintext is taken apart into FrameInfo, image and padding.
     */
    public static ClipVerdict walk(
            ClipHeader header,
            ClipInfo info,
            byte[] headerBytes,
            byte[] aesKey,
            GcmProvider provider,
            List<StoredFrameBytes> framesInStoredOrder,
            ClipHoles holes) {
        AesGcm gcm;
        try {
            gcm = AesGcm.create(provider, aesKey);
        } catch (RuntimeException e) {
            Arrays.fill(aesKey, (byte) 0);
            throw e;
        }
        try {
            return new FrameWalk(header, info, ClipFormat.sha256(headerBytes), gcm).walk(framesInStoredOrder, holes);
        } finally {
            gcm.destroy();
        }
    }

    /**
     * The §4 walk. A gap in the seqs that {@code holes} says may lie in an unreadable part of the store is not
     * "frame missing": the walk goes on after it, and the clip is DAMAGED unless a later frame fails.
     */
    ClipVerdict walk(List<StoredFrameBytes> frames, ClipHoles holes) {
        int expected = 0;
        int finalSeq = -1;
        int firstMissing = -1;
        String firstGap = null;
        int gaps = 0;
        for (int i = 0; i < frames.size(); i++) {
            StoredFrameBytes frame = frames.get(i);
            int seq = frame.seq();
            if (finalSeq >= 0) {
                return fail(
                        seq >= 0 ? seq : expected,
                        "frames after the final frame (frame " + Integer.toUnsignedString(seq)
                                + " stored after final frame " + finalSeq + "; " + clip + ")");
            }
            if (seq < 0) {
                return fail(
                        expected,
                        "frame missing (gap: frame " + expected + " expected, stored seq "
                                + Integer.toUnsignedString(seq) + " is out of range; " + clip + ")");
            }
            if (seq < expected) {
                return fail(
                        seq,
                        "duplicate frame (frame " + seq + " stored again after frame " + (expected - 1) + "; " + clip
                                + ")");
            }
            if (seq > expected) {
                if (storedLater(frames, i + 1, expected)) {
                    return fail(
                            expected,
                            "frames out of order (frame " + seq + " stored before frame " + expected + "; " + clip
                                    + ")");
                }
                FrameHole hole = holes.covering(expected, seq);
                if (hole == null) {
                    return fail(
                            expected,
                            "frame missing (gap: frame " + expected + " absent, next stored is frame " + seq + "; "
                                    + clip + ")");
                }
                if (firstGap == null) {
                    firstMissing = expected;
                    firstGap = (seq - expected == 1 ? "frame " + expected : "frames " + expected + ".." + (seq - 1))
                            + " may be in " + hole.where();
                }
                gaps++;
                expected = seq;
            }
            String problem = verify(frame);
            if (problem != null) {
                return fail(seq, problem);
            }
            if (frame.last()) {
                finalSeq = seq;
            }
            expected++;
        }
        if (firstGap != null) {
            return ClipVerdict.damaged(
                    header,
                    info,
                    firstMissing,
                    "frame missing (" + firstGap
                            + (gaps > 1 ? "; " + (gaps - 1) + " more gaps" : "")
                            + (finalSeq < 0 ? "; no final frame" : "")
                            + "; " + clip + ")",
                    verified);
        }
        if (finalSeq >= 0) {
            return ClipVerdict.ok(header, info, verified);
        }
        FrameHole tail = holes.covering(expected, FrameHole.NO_LATER_FRAME);
        if (tail != null) {
            return ClipVerdict.damaged(
                    header,
                    info,
                    expected,
                    "no final frame (frames from " + expected + " on may be in " + tail.where() + "; " + clip + ")",
                    verified);
        }
        return ClipVerdict.truncated(header, info, verified);
    }

    /** Opens one frame at its expected position; returns the reason it fails, or null after adding it. */
    private String verify(StoredFrameBytes frame) {
        int seq = frame.seq();
        byte[] plaintext;
        try {
            plaintext = gcm.open(
                    ClipFormat.nonce(noncePrefix, seq, frame.last()),
                    ClipFormat.aad(headerHash, seq, frame.last(), frame.meta()),
                    frame.sealed());
        } catch (AEADBadTagException e) {
            return "authentication failed (" + clip + " frame " + seq + ", " + frame.sealed().length
                    + " sealed bytes: wrong key, altered bytes, or a frame sealed for another position or clip)";
        }
        if (info != null) {
            return verifyV3(frame, plaintext);
        }
        FrameMeta meta;
        try {
            meta = FrameMeta.parseFrom(frame.meta());
        } catch (InvalidProtocolBufferException e) {
            return "bad metadata (" + clip + " frame " + seq + ": not a parsable FrameMeta)";
        }
        if (Integer.toUnsignedLong(meta.getPlaintextLength()) != plaintext.length) {
            return "length disagrees with the metadata (" + clip + " frame " + seq + ": plaintext_length "
                    + Integer.toUnsignedString(meta.getPlaintextLength()) + ", opened " + plaintext.length + " bytes)";
        }
        verified.add(new OpenedFrame(seq, frame.last(), meta.getPtsUs(), plaintext));
        return null;
    }

    /** A v3 frame after its tag verified: no public metadata, then FrameInfo, image and padding. */
    private String verifyV3(StoredFrameBytes frame, byte[] plaintext) {
        int seq = frame.seq();
        if (frame.meta().length != 0) {
            return "bad metadata (v3 frames carry no public metadata; " + clip + " frame " + seq + " has "
                    + frame.meta().length + " bytes of it)";
        }
        FramePlaintextV3.Result opened = FramePlaintextV3.open(plaintext, info.getPadTo(), clip + " frame " + seq);
        if (opened.problem() != null) {
            return opened.problem();
        }
        FrameInfo facts = opened.frame().info();
        verified.add(new OpenedFrame(
                seq,
                frame.last(),
                facts.getPtsUs(),
                opened.frame().image(),
                facts.getMotionPermille(),
                facts.getRingPressed()));
        return null;
    }

    private ClipVerdict fail(int seq, String reason) {
        return ClipVerdict.tampered(header, info, seq, reason, verified);
    }

    private static boolean storedLater(List<StoredFrameBytes> frames, int from, int seq) {
        for (int i = from; i < frames.size(); i++) {
            if (frames.get(i).seq() == seq) {
                return true;
            }
        }
        return false;
    }
}
