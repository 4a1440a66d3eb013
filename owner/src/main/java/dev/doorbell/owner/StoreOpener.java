package dev.doorbell.owner;

import com.google.protobuf.ByteString;
import dev.doorbell.owner.chain.ChainedClip;
import dev.doorbell.owner.keyring.OwnerKeyring;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipOpener;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.KeyUnavailableException;
import dev.doorbell.seal.OpenedFrame;
import dev.doorbell.seal.v2.ClipOpenerV2;
import dev.doorbell.seal.v2.HeaderFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The owner's side: reads a store, opens each clip (format v1 with the owner's keyring, format v2 with an identity:
 * the owner's directory, a viewer's, or a share), writes every verified frame as a JPEG, a contact sheet and a
 * verdict.txt per clip, and returns one result per clip. Frames that did not verify are never written. A clip of a
 * format this opener holds nothing for gets a NO KEY verdict that names what opens it.
 */
public final class StoreOpener {
    static final String V1_NEEDS_KEYRING = "a format v1 clip: it opens with the owner's v1 keyring (--keyring DIR);"
            + " an identity opens format v2 clips only";
    static final String V2_NEEDS_IDENTITY = "a format v2 clip: it opens with an identity (--identity OWNER_OR_VIEWER,"
            + " or --share FILE with the identity it was shared with); a keyring opens format v1 clips only";

    /**
     * Header verdicts of docs/FORMAT.md §15 that come after the device's signature verified (steps 5 to 7, and the v3
     * clip info): the header's chain link is the device's, though this identity opens no frame of the clip.
     */
    private static final Set<String> SIGNED_HEADER_KEYWORDS =
            Set.of("not a recipient of this clip", "key unwrap failed", "key commitment mismatch", "bad clip info");

    private final OwnerKeyring keyring;
    private final ClipOpener opener;
    private final ClipOpenerV2 openerV2;
    private final boolean video;

    /** Opens v1 clips with {@code keyring}; v2 clips get a NO KEY verdict. */
    public StoreOpener(OwnerKeyring keyring) {
        this(keyring, null);
    }

    /** Opens v1 clips with {@code keyring} and v2 clips with {@code openerV2}; either may be null, not both. */
    public StoreOpener(OwnerKeyring keyring, ClipOpenerV2 openerV2) {
        if (keyring == null && openerV2 == null) {
            throw new IllegalArgumentException("a store opener needs a keyring, an identity or both");
        }
        this.keyring = keyring;
        this.opener = keyring == null ? null : new ClipOpener(keyring);
        this.openerV2 = openerV2;
        this.video = false;
    }

    private StoreOpener(StoreOpener other, boolean video) {
        this.keyring = other.keyring;
        this.opener = other.opener;
        this.openerV2 = other.openerV2;
        this.video = video;
    }

    /** The same opener that also writes each clip's verified frames as a video ({@link ClipVideo}). */
    public StoreOpener withVideo() {
        return new StoreOpener(this, true);
    }

    /**
     * Opens the clips of {@code snapshot} matching the filters (null = all) into {@code outDir}/DEVICE/CLIP/, calling
     * {@code progress} once per clip.
     */
    public List<ClipResult> openAll(
            StoreSnapshot snapshot, String deviceFilter, Long clipFilter, Path outDir, Consumer<ClipResult> progress)
            throws IOException {
        List<ClipResult> results = new ArrayList<>();
        for (StoredClip clip : snapshot.clips()) {
            if (deviceFilter != null && !deviceFilter.equals(clip.deviceId())) {
                continue;
            }
            if (clipFilter != null && clipFilter != clip.clipId()) {
                continue;
            }
            ClipResult result = open(clip, outDir);
            results.add(result);
            progress.accept(result);
        }
        return results;
    }

    ClipResult open(StoredClip clip, Path outDir) throws IOException {
        if (!DeviceIds.isValid(clip.deviceId())) {
            throw new IOException("refusing to write a clip of '" + clip.deviceId() + "', not a valid device id");
        }
        Path clipDir = outDir.resolve(clip.deviceId()).resolve(clip.clipName());
        ClipVerdict verdict;
        boolean v2 = isV2(clip.header());
        if (clip.headerProblem() != null) {
            verdict = ClipVerdict.refusedHeader(clip.headerProblem());
        } else if (v2) {
            if (openerV2 == null) {
                return noKey(clip, clipDir, V2_NEEDS_IDENTITY);
            }
            try {
                verdict = openerV2.open(clip.deviceId(), clip.clipId(), clip.header(), clip.frames(), clip.holes());
            } catch (KeyUnavailableException e) {
                return noKey(clip, clipDir, e.getMessage());
            }
        } else {
            if (opener == null) {
                return noKey(clip, clipDir, V1_NEEDS_KEYRING);
            }
            if (!keyring.deviceIds().contains(clip.deviceId())) {
                return noKey(clip, clipDir, "the keyring has no root key for device " + clip.deviceId());
            }
            try {
                verdict = opener.open(clip.deviceId(), clip.clipId(), clip.header(), clip.frames(), clip.holes());
            } catch (KeyUnavailableException e) {
                return noKey(clip, clipDir, e.getMessage());
            }
        }
        Files.createDirectories(clipDir);
        for (OpenedFrame f : verdict.frames()) {
            Files.write(clipDir.resolve(String.format("frame-%05d.jpg", f.seq())), f.plaintext());
        }
        ClipHeader header = verdict.header();
        ClipInfo info = verdict.info().orElse(null);
        String trigger = info == null ? "?" : triggerName(info.getTrigger());
        String started = info == null
                ? ""
                : Instant.ofEpochMilli(info.getStartTimeUnixMs()).toString();
        String title = clip.deviceId() + "  clip " + clip.clipName() + "  " + trigger + "  " + started;
        if (!verdict.frames().isEmpty()) {
            ContactSheet.write(
                    verdict.frames(),
                    info,
                    title,
                    verdict.summary()
                            + (header == null || info == null
                                    ? ""
                                    : String.format(
                                            "   %dx%d @ %d fps, %s",
                                            info.getWidth(),
                                            info.getHeight(),
                                            info.getFps(),
                                            header.getFormatVersion() >= 2
                                                    ? "recipient list v" + header.getRecipientListVersion()
                                                    : "epoch " + header.getKeyEpoch())),
                    clipDir.resolve("contact-sheet.png"));
        }
        List<String> videoLines = video ? ClipVideo.write(clipDir, verdict, info, title.strip()) : List.of();
        StringBuilder verdictText = new StringBuilder(verdict.summary()).append('\n');
        videoLines.forEach(l -> verdictText.append(l).append('\n'));
        Files.writeString(clipDir.resolve("verdict.txt"), verdictText + flagLines(clip));
        return new ClipResult(
                clip.deviceId(),
                clip.clipId(),
                trigger,
                clip.frames().size(),
                verdict.frames().size(),
                clip.sealedBytes(),
                verdict.status().name(),
                verdict.keyword(),
                verdict.summary(),
                clipDir,
                chained(clip, verdict),
                clip.uplinkFlags());
    }

    /**
     * What the chain check needs of a v3 clip whose header verified (docs/FORMAT.md §17); null for any other. Only an
     * OK or TRUNCATED clip has all its stored frames verified, so only its count says what the store holds; a clip that
     * is TAMPERED or DAMAGED already fails, with a more specific reason than the chain could give.
     */
    private ChainedClip chained(StoredClip clip, ClipVerdict verdict) {
        ClipHeader header = verdict.header();
        if (header == null || header.getFormatVersion() != 3 || !header.hasChain()) {
            return null;
        }
        boolean whole = verdict.status() == ClipVerdict.Status.OK || verdict.status() == ClipVerdict.Status.TRUNCATED;
        boolean walked = verdict.failedSeq().isPresent();
        if (!whole && !walked && !SIGNED_HEADER_KEYWORDS.contains(verdict.keyword())) {
            return null;
        }
        ByteString keyFingerprint = openerV2 == null
                ? ByteString.EMPTY
                : openerV2.clipKeyFingerprint(clip.deviceId(), clip.clipId(), clip.header())
                        .map(ByteString::copyFrom)
                        .orElse(ByteString.EMPTY);
        return new ChainedClip(
                clip.clipId(),
                header.getChain(),
                ByteString.copyFrom(sha256(clip.header())),
                whole ? verdict.frames().size() : 0,
                verdict.status() == ClipVerdict.Status.OK,
                whole,
                verdict.info().map(ClipInfo::getStartTimeUnixMs).orElse(0L),
                keyFingerprint);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Which opener gets the clip. A missing header or one of neither format goes to whichever opener is here, for its
     * "no header" or "bad header" verdict (the v1 one when both are).
     */
    private boolean isV2(byte[] header) {
        int version = header == null ? 0 : HeaderFormat.version(header);
        return version == 2 || version == HeaderFormat.V3 || (version != 1 && opener == null);
    }

    /** Lacking a key is not a verdict about the clip (docs/FORMAT.md §4), but the clip still gets its verdict.txt. */
    private static ClipResult noKey(StoredClip clip, Path clipDir, String why) throws IOException {
        String summary = "NO KEY: " + why;
        Files.createDirectories(clipDir);
        Files.writeString(clipDir.resolve("verdict.txt"), summary + "\n" + flagLines(clip));
        return new ClipResult(
                clip.deviceId(),
                clip.clipId(),
                "?",
                clip.frames().size(),
                0,
                clip.sealedBytes(),
                "NO KEY",
                "",
                summary,
                clipDir,
                null,
                clip.uplinkFlags());
    }

    /** The uplink's keyless flags, one "UPLINK FLAG" line each, after the verdict in verdict.txt. */
    private static String flagLines(StoredClip clip) {
        StringBuilder lines = new StringBuilder();
        clip.uplinkFlags().forEach(f -> lines.append("UPLINK FLAG ").append(f).append('\n'));
        return lines.toString();
    }

    private static String triggerName(Trigger trigger) {
        return switch (trigger) {
            case TRIGGER_MOTION -> "motion";
            case TRIGGER_RING -> "ring";
            case TRIGGER_MANUAL -> "manual";
            default -> "unknown";
        };
    }
}
