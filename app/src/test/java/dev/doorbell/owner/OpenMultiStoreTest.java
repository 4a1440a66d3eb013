package dev.doorbell.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * {@code open} over several stores, as written by uplink processes sharing one port: a device that reconnects to
 * another process re-sends the whole clip there, so the first store holds the start and the second the whole clip.
 */
class OpenMultiStoreTest {
  private static final String DEVICE = "porch";
  @TempDir Path dir;

  @Test
  void open_clipSplitOverTwoStoresWithIdenticalCopies_exitZeroOneWholeClip() throws Exception {
    Path keyring = keyring();
    Clip clip = clip(keyring, 41, 6);
    Path a = store("a", clip, 0, 3, false);
    Path b = store("b", clip, 0, 6, true);

    Result r = open(keyring, a, b);

    assertEquals(0, r.exit, r.out + r.err);
    assertTrue(r.out.contains("OK 6 frames"), r.out);
    assertTrue(Files.exists(dir.resolve("out/porch/" + String.format("%016x", 41) + "/frame-00005.jpg")));
  }

  @Test
  void open_wholeClipInFirstStorePartialCopyInSecond_exitZero() throws Exception {
    Path keyring = keyring();
    Clip clip = clip(keyring, 42, 5);
    Path a = store("a", clip, 0, 5, true);
    Path b = store("b", clip, 0, 2, false);

    Result r = open(keyring, a, b);

    assertEquals(0, r.exit, r.out + r.err);
    assertTrue(r.out.contains("OK 5 frames"), r.out);
  }

  @Test
  void open_conflictingCopiesOfAFrame_exitOneTampered() throws Exception {
    Path keyring = keyring();
    Clip clip = clip(keyring, 43, 4);
    Path a = store("a", clip, 0, 4, true);
    List<SealedFrame> altered = new ArrayList<>(clip.frames());
    byte[] sealed = altered.get(2).sealed().clone();
    sealed[sealed.length / 2] ^= 0x01;
    SealedFrame f = altered.get(2);
    altered.set(2, new SealedFrame(f.clipId(), f.seq(), f.last(), f.meta(), sealed));
    Path b = store("b", new Clip(clip.header(), altered), 0, 4, true);

    Result r = open(keyring, a, b);

    assertEquals(1, r.exit, r.out + r.err);
    assertTrue(r.out.contains("TAMPERED at frame 2"), r.out);
    assertTrue(r.err.contains("frame 2 differs between"), r.err);
  }

  @Test
  void open_oneStoreOnly_sameAsBefore() throws Exception {
    Path keyring = keyring();
    Clip clip = clip(keyring, 44, 3);
    Path a = store("a", clip, 0, 2, false);

    Result r = open(keyring, a);

    assertEquals(1, r.exit, r.out + r.err);
    assertTrue(r.out.contains("TRUNCATED after 2 verified frames"), r.out);
  }

  private record Clip(byte[] header, List<SealedFrame> frames) {}

  private record Result(int exit, String out, String err) {}

  private Path keyring() throws Exception {
    Path keyring = dir.resolve("keyring");
    Files.createDirectories(keyring);
    OwnerKeyring.writeRootKey(keyring, RootKey.generate(DEVICE, new SecureRandom()));
    return keyring;
  }

  private static Clip clip(Path keyring, long clipId, int frames) throws Exception {
    RootKey root = OwnerKeyring.open(keyring).rootKey(DEVICE);
    ClipSealer sealer = ClipSealer.start(root.epochKey(0), new ClipParams(DEVICE, clipId, Trigger.TRIGGER_MOTION,
        Codec.CODEC_MJPEG, 64, 48, 10, 1_750_000_000_000L, 0), new SecureRandom());
    List<SealedFrame> out = new ArrayList<>();
    for (int i = 0; i < frames; i++) {
      out.add(sealer.seal(i * 100_000L, jpeg(i), i == frames - 1));
    }
    return new Clip(sealer.headerBytes(), out);
  }

  /** Stores frames [from, to) of the clip in a fresh store, as one uplink process would. */
  private Path store(String name, Clip clip, int from, int to, boolean close) throws Exception {
    Path path = dir.resolve(name);
    long clipId = clip.frames().get(0).clipId();
    try (DirectoryStore s = DirectoryStore.open(path, StoreOptions.defaults())) {
      await(s.openClip(DEVICE, clipId, clip.header()));
      for (SealedFrame f : clip.frames().subList(from, to)) {
        await(s.appendFrame(DEVICE, f.clipId(), f.seq(), f.last(), f.meta(), f.sealed()));
      }
      if (close) {
        await(s.closeClip(DEVICE, clipId, to));
      }
    }
    return path;
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

  private Result open(Path keyring, Path... stores) {
    List<String> args = new ArrayList<>(List.of("open", "--keyring", keyring.toString(), "--out",
        dir.resolve("out").toString()));
    for (Path s : stores) {
      args.add("--store");
      args.add(s.toString());
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = DoorbellCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args.toArray(String[]::new));
    return new Result(exit, out.toString(), err.toString());
  }
}
