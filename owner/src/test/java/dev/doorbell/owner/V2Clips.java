package dev.doorbell.owner;

import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.owner.identity.Pairing;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.SignedRecipientList;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipSealerV2;
import dev.doorbell.seal.v2.ClipSealerV3;
import dev.doorbell.seal.v2.DeviceSigner;
import dev.doorbell.seal.v2.FrameFacts;
import dev.doorbell.seal.v2.SigningKey;
import dev.doorbell.uplink.store.DirectoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Format v2 clips for the owner's tests, made as a paired device makes them: the device's own signing key (made here,
 * in test code, where a device would make it at pairing), certified by the owner, and the list the owner issued last
 * for the device (OWNER/lists/ID.list), as if the device had received it.
 */
public final class V2Clips {
    private V2Clips() {}

    /** A device paired with {@code owner}: what it signs with. */
    public static DeviceSigner pair(OwnerDirectory owner, String deviceId) {
        SigningKey key = SigningKey.generate(new SecureRandom());
        Pairing.Paired paired = new Pairing(owner).pair(deviceId, key.publicKey(), 1_750_000_000_000L, true);
        return new DeviceSigner(deviceId, key, paired.certificate());
    }

    /** The newest list the owner issued for the device, as the device holds it once delivered. */
    public static RecipientList currentList(OwnerDirectory owner, String deviceId) throws IOException {
        byte[] signed = Files.readAllBytes(owner.listFile(deviceId));
        return RecipientList.parseFrom(SignedRecipientList.parseFrom(signed).getList());
    }

    /** A whole clip of {@code frames} frames sealed by {@code device} to {@code list}. */
    public static SealedClips.Clip seal(DeviceSigner device, RecipientList list, long clipId, int frames) {
        ClipSealerV2 sealer = ClipSealerV2.start(
                device,
                list,
                new ClipParams(
                        device.deviceId(),
                        clipId,
                        Trigger.TRIGGER_MOTION,
                        Codec.CODEC_MJPEG,
                        64,
                        48,
                        10,
                        1_750_000_000_000L,
                        0),
                new SecureRandom());
        List<SealedFrame> out = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            out.add(sealer.seal(i * 100_000L, SealedClips.jpeg(i), i == frames - 1));
        }
        return new SealedClips.Clip(device.deviceId(), clipId, sealer.headerBytes(), out);
    }

    /** A whole format v3 clip (the first of its device's chain, unpadded) of {@code frames} frames. */
    public static SealedClips.Clip sealV3(DeviceSigner device, RecipientList list, long clipId, int frames) {
        ClipSealerV3 sealer = ClipSealerV3.start(
                device,
                list,
                new ClipParams(
                        device.deviceId(),
                        clipId,
                        Trigger.TRIGGER_RING,
                        Codec.CODEC_MJPEG,
                        64,
                        48,
                        10,
                        1_750_000_000_000L,
                        0),
                ChainLink.newBuilder().setPosition(1).build(),
                List.of(1_750_000_000_500L),
                0,
                new SecureRandom());
        List<SealedFrame> out = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            out.add(sealer.seal(new FrameFacts(i * 100_000L, 10 * i, i == 0), SealedClips.jpeg(i), i == frames - 1));
        }
        return new SealedClips.Clip(device.deviceId(), clipId, sealer.headerBytes(), out);
    }

    /** Seals with the owner's current list for the device and stores the clip, closed, in {@code store}. */
    public static SealedClips.Clip store(DirectoryStore store, OwnerDirectory owner, DeviceSigner device, long clipId)
            throws Exception {
        SealedClips.Clip clip = seal(device, currentList(owner, device.deviceId()), clipId, 3);
        SealedClips.upload(store, clip, true);
        return clip;
    }
}
