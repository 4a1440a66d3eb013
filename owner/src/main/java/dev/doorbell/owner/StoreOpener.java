package dev.doorbell.owner;

import dev.doorbell.owner.keyring.OwnerKeyring;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.seal.ClipOpener;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.KeyUnavailableException;
import dev.doorbell.seal.OpenedFrame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The owner's side: reads a store, opens each clip with the keyring, writes every verified frame as a JPEG, a
 * contact sheet and a verdict.txt per clip, and returns one result per clip. Frames that did not verify are never
 * written.
 */
public final class StoreOpener {
    private final OwnerKeyring keyring;
    private final ClipOpener opener;

    public StoreOpener(OwnerKeyring keyring) {
        this.keyring = keyring;
        this.opener = new ClipOpener(keyring);
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
        if (!keyring.deviceIds().contains(clip.deviceId())) {
            return noKey(clip, clipDir, "the keyring has no root key for device " + clip.deviceId());
        }
        ClipVerdict verdict;
        try {
            verdict = clip.headerProblem() != null
                    ? ClipVerdict.refusedHeader(clip.headerProblem())
                    : opener.open(clip.deviceId(), clip.clipId(), clip.header(), clip.frames(), clip.holes());
        } catch (KeyUnavailableException e) {
            return noKey(clip, clipDir, e.getMessage());
        }
        Files.createDirectories(clipDir);
        for (OpenedFrame f : verdict.frames()) {
            Files.write(clipDir.resolve(String.format("frame-%05d.jpg", f.seq())), f.plaintext());
        }
        ClipHeader header = verdict.header();
        String trigger = header == null ? "?" : triggerName(header);
        String started = header == null
                ? ""
                : Instant.ofEpochMilli(header.getStartTimeUnixMs()).toString();
        if (!verdict.frames().isEmpty()) {
            ContactSheet.write(
                    verdict.frames(),
                    clip.deviceId() + "  clip " + clip.clipName() + "  " + trigger + "  " + started,
                    verdict.summary()
                            + (header == null
                                    ? ""
                                    : String.format(
                                            "   %dx%d @ %d fps, epoch %d",
                                            header.getWidth(),
                                            header.getHeight(),
                                            header.getFps(),
                                            header.getKeyEpoch())),
                    clipDir.resolve("contact-sheet.png"));
        }
        Files.writeString(clipDir.resolve("verdict.txt"), verdict.summary() + "\n");
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
                clipDir);
    }

    /** Lacking a key is not a verdict about the clip (docs/FORMAT.md §4), but the clip still gets its verdict.txt. */
    private static ClipResult noKey(StoredClip clip, Path clipDir, String why) throws IOException {
        String summary = "NO KEY: " + why;
        Files.createDirectories(clipDir);
        Files.writeString(clipDir.resolve("verdict.txt"), summary + "\n");
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
                clipDir);
    }

    private static String triggerName(ClipHeader header) {
        return switch (header.getTrigger()) {
            case TRIGGER_MOTION -> "motion";
            case TRIGGER_RING -> "ring";
            case TRIGGER_MANUAL -> "manual";
            default -> "unknown";
        };
    }
}
