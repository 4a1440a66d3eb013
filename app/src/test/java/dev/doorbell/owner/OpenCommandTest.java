package dev.doorbell.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.owner.keyring.OwnerKeyring;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipSealer;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.Outcome;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.store.Submission;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The owner's {@code open} command on a real directory store: verdicts, files written and exit status. */
class OpenCommandTest {
  @TempDir Path dir;

  @Test
  void open_intactClips_exitZeroFramesAndSheetsWritten() throws Exception {
    Path keyring = keyring("porch");
    Path store = dir.resolve("store");
    try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
      upload(s, clip(keyring, "porch", 1001, 6, -1), true);
      upload(s, clip(keyring, "porch", 1002, 3, -1), true);
    }
    Result r = run("open", "--store", store.toString(), "--keyring", keyring.toString(), "--out",
        dir.resolve("out").toString());
    assertEquals(0, r.exit, r.out + r.err);
    assertTrue(r.out.contains("OK 6 frames"), r.out);
    Path clipDir = dir.resolve("out/porch/" + String.format("%016x", 1001));
    assertTrue(Files.exists(clipDir.resolve("frame-00005.jpg")));
    assertTrue(Files.exists(clipDir.resolve("contact-sheet.png")));
    assertTrue(Files.readString(dir.resolve("out/summary.txt")).contains("porch"));
  }

  @Test
  void open_alteredFrameInStore_exitOneNamesFrameAndReason() throws Exception {
    Path keyring = keyring("porch");
    Path store = dir.resolve("store");
    try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
      upload(s, clip(keyring, "porch", 7, 5, 3), true);
    }
    Result r = run("open", "--store", store.toString(), "--keyring", keyring.toString(), "--out",
        dir.resolve("out").toString());
    assertEquals(1, r.exit, r.out + r.err);
    assertTrue(r.out.contains("TAMPERED at frame 3: authentication failed"), r.out);
    Path clipDir = dir.resolve("out/porch/" + String.format("%016x", 7));
    assertTrue(Files.exists(clipDir.resolve("frame-00002.jpg")), "frames verified before the failure are kept");
    assertFalse(Files.exists(clipDir.resolve("frame-00003.jpg")), "a frame that failed is never written");
  }

  @Test
  void open_clipCutShort_exitOneTruncated() throws Exception {
    Path keyring = keyring("porch");
    Path store = dir.resolve("store");
    try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
      Clip clip = clip(keyring, "porch", 9, 4, -1);
      upload(s, new Clip(clip.header(), clip.frames().subList(0, 3)), false);
    }
    Result r = run("open", "--store", store.toString(), "--keyring", keyring.toString(), "--out",
        dir.resolve("out").toString());
    assertEquals(1, r.exit);
    assertTrue(r.out.contains("TRUNCATED after 3 verified frames"), r.out);
  }

  @Test
  void open_keyringWithoutDevice_exitOneNoKey() throws Exception {
    Path keyring = keyring("porch");
    Path otherKeyring = keyring("garage");
    Path store = dir.resolve("store");
    try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
      upload(s, clip(keyring, "porch", 5, 2, -1), true);
    }
    Result r = run("open", "--store", store.toString(), "--keyring", otherKeyring.toString(), "--out",
        dir.resolve("out").toString());
    assertEquals(1, r.exit);
    assertTrue(r.out.contains("NO KEY"), r.out);
  }

  @Test
  void open_deviceMatchingNothing_exitOneSaysNothingMatched() throws Exception {
    Path keyring = keyring("porch");
    Path store = dir.resolve("store");
    try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
      upload(s, clip(keyring, "porch", 5, 2, -1), true);
    }
    Result r = run("open", "--store", store.toString(), "--keyring", keyring.toString(), "--out",
        dir.resolve("out").toString(), "--device", "nobody");
    assertEquals(1, r.exit, r.out + r.err);
    assertTrue((r.out + r.err).contains("no clip matched --device nobody"), r.out + r.err);
  }

  @Test
  void open_anotherFleetsKeyringWithTheSameDeviceId_saysTheKeyDoesNotMatch() throws Exception {
    Path keyring = keyring("porch");
    Path store = dir.resolve("store");
    try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
      upload(s, clip(keyring, "porch", 5, 2, -1), true);
      upload(s, clip(keyring, "porch", 6, 2, -1), true);
    }
    Path otherFleet = dir.resolve("other-fleet");
    Files.createDirectories(otherFleet);
    OwnerKeyring.writeRootKey(otherFleet, RootKey.generate("porch", new SecureRandom()));
    Result r = run("open", "--store", store.toString(), "--keyring", otherFleet.toString(), "--out",
        dir.resolve("out").toString());
    assertEquals(1, r.exit, r.out + r.err);
    assertTrue(r.out.contains("key commitment mismatch (the key does not match this header: a wrong keyring"), r.out);
    assertTrue(r.out.contains("device porch: the keyring's root key matches none of its 2 clips"), r.out);
  }

  @Test
  void open_notAStore_exitTwoWithReason() {
    Result r = run("open", "--store", dir.resolve("nothing").toString(), "--keyring", dir.toString(), "--out",
        dir.resolve("out").toString());
    assertEquals(2, r.exit);
    assertTrue(r.err.contains("not a doorbell store"), r.err);
  }

  private Path keyring(String deviceId) throws Exception {
    Path keyring = dir.resolve("keyring-" + deviceId);
    Files.createDirectories(keyring);
    OwnerKeyring.writeRootKey(keyring, RootKey.generate(deviceId, new SecureRandom()));
    return keyring;
  }

  /** Seals {@code frames} small JPEGs; flips one bit of frame {@code alter} (if >= 0) as an attacker would. */
  private record Clip(byte[] header, List<SealedFrame> frames) {}

  private static Clip clip(Path keyring, String deviceId, long clipId, int frames, int alter)
      throws Exception {
    RootKey root = OwnerKeyring.open(keyring).rootKey(deviceId);
    ClipSealer sealer = ClipSealer.start(root.epochKey(0), new ClipParams(deviceId, clipId, Trigger.TRIGGER_MOTION,
        Codec.CODEC_MJPEG, 64, 48, 10, 1_750_000_000_000L, 0), new SecureRandom());
    List<SealedFrame> out = new ArrayList<>();
    for (int i = 0; i < frames; i++) {
      SealedFrame f = sealer.seal(i * 100_000L, jpeg(i), i == frames - 1);
      if (i == alter) {
        f.sealed()[f.sealed().length / 2] ^= 0x01;
      }
      out.add(f);
    }
    return new Clip(sealer.headerBytes(), out);
  }

  /** Uploads a clip straight into the store, as the uplink would. */
  private static void upload(DirectoryStore store, Clip clip, boolean close) throws Exception {
    long clipId = clip.frames().get(0).clipId();
    await(store.openClip("porch", clipId, clip.header()));
    for (SealedFrame f : clip.frames()) {
      await(store.appendFrame("porch", f.clipId(), f.seq(), f.last(), f.meta(), f.sealed()));
    }
    if (close) {
      await(store.closeClip("porch", clipId, clip.frames().size()));
    }
  }

  private static void await(Submission s) throws Exception {
    assertEquals(Outcome.ACCEPTED, s.outcome(), s.detail());
    s.durable().get(10, TimeUnit.SECONDS);
  }

  private static byte[] jpeg(int shade) throws Exception {
    BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
    img.getGraphics().fillRect(shade * 4, 0, 20, 20);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpg", out);
    return out.toByteArray();
  }

  private record Result(int exit, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = DoorbellCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }
}
