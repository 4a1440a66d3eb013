package dev.doorbell.uplink.store;

import static dev.doorbell.uplink.store.StoreFixtures.durable;
import static dev.doorbell.uplink.store.StoreFixtures.meta;
import static dev.doorbell.uplink.store.StoreFixtures.sealed;
import static dev.doorbell.uplink.store.StoreFixtures.storeClip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreRecoveryTest {
  private static final String DEVICE = "porch-cam";
  private static final String FIRST = SegmentFormat.segmentName(1);

  @TempDir Path dir;

  /**
   * A store whose last record is frame 3 of clip 1; returns the segment length before that record. The store is
   * closed in between: an open store's segment may end in the zero padding of direct writes.
   */
  private long storeWithLastFrame() throws Exception {
    try (DirectoryStore store = StoreFixtures.open(dir.resolve("base"))) {
      durable(store.openClip(DEVICE, 1, StoreFixtures.header(DEVICE, 1)), Outcome.ACCEPTED);
      for (int seq = 0; seq < 3; seq++) {
        durable(store.appendFrame(DEVICE, 1, seq, false, meta(DEVICE, 1, seq), sealed(DEVICE, 1, seq, 200)),
            Outcome.ACCEPTED);
      }
    }
    long before = Files.size(segment(dir.resolve("base"), 1));
    try (DirectoryStore store = StoreFixtures.open(dir.resolve("base"))) {
      durable(store.appendFrame(DEVICE, 1, 3, false, meta(DEVICE, 1, 3), sealed(DEVICE, 1, 3, 60)),
          Outcome.ACCEPTED);
    }
    return before;
  }

  @Test
  void open_tornTailAtEveryBytePosition_cutAndAppendsWork() throws Exception {
    long before = storeWithLastFrame();
    byte[] full = Files.readAllBytes(segment(dir.resolve("base"), 1));
    assertTrue(full.length - before > 80, "the last record spans many byte positions");
    for (long cut = before + 1; cut < full.length; cut++) {
      Path copy = dir.resolve("cut-" + cut);
      Files.createDirectories(copy.resolve("segments"));
      Files.copy(dir.resolve("base/doorbell-store"), copy.resolve("doorbell-store"));
      Files.write(segment(copy, 1), Arrays.copyOf(full, (int) cut));
      try (DirectoryStore store = StoreFixtures.open(copy)) {
        assertEquals(new ClipStatus(DEVICE, 1, 3, 3, false, false, false), store.status(DEVICE, 1), "cut " + cut);
        assertEquals(before, Files.size(segment(copy, 1)), "torn tail cut at " + cut);
        durable(store.appendFrame(DEVICE, 1, 3, true, meta(DEVICE, 1, 3), sealed(DEVICE, 1, 3, 70)),
            Outcome.ACCEPTED);
      }
      try (StoreReader reader = StoreReader.open(copy)) {
        assertTrue(reader.report().ok() && reader.report().tornTail() == null, reader.report().toString());
        assertArrayEquals(sealed(DEVICE, 1, 3, 70), reader.clip(DEVICE, 1).frames().get(3).sealed());
      }
    }
  }

  @Test
  void open_byteFlippedInEarlyRecord_refusedNamingSegmentAndOffset() throws Exception {
    storeWithLastFrame();
    Path base = dir.resolve("base");
    byte[] bytes = Files.readAllBytes(segment(base, 1));
    long secondRecord = SegmentFormat.MAGIC.length + 8 + (bytes[11] & 0xff);
    bytes[(int) secondRecord + 40] ^= 0x10;
    Files.write(segment(base, 1), bytes);
    StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> StoreFixtures.open(base));
    assertEquals(FIRST, e.segment());
    assertEquals(secondRecord, e.offset());
    assertTrue(e.getMessage().contains("segment " + FIRST + " at offset " + secondRecord), e.getMessage());
    assertTrue(e.getMessage().contains("valid records follow"), e.getMessage());
    assertArrayEquals(bytes, Files.readAllBytes(segment(base, 1)), "nothing was repaired");
    StoreReader.Report report = StoreReader.verify(base);
    assertFalse(report.ok());
    assertTrue(report.problems().get(0).contains("offset " + secondRecord), report.problems().toString());
  }

  @Test
  void open_lengthFlippedInEarlyRecord_refused() throws Exception {
    storeWithLastFrame();
    Path base = dir.resolve("base");
    byte[] bytes = Files.readAllBytes(segment(base, 1));
    bytes[SegmentFormat.MAGIC.length + 3] ^= 0x04;
    Files.write(segment(base, 1), bytes);
    StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> StoreFixtures.open(base));
    assertEquals(SegmentFormat.MAGIC.length, e.offset());
  }

  @Test
  void open_badTailInOlderSegment_refused() throws Exception {
    Path base = dir.resolve("base");
    try (DirectoryStore store = DirectoryStore.open(base, StoreFixtures.options().withSegmentBytes(4096),
        StoreFixtures.CLOCK)) {
      storeClip(store, DEVICE, 1, 6, 1500, true);
    }
    assertTrue(Files.exists(segment(base, 2)));
    long size = Files.size(segment(base, 1));
    try (var channel = java.nio.channels.FileChannel.open(segment(base, 1),
        java.nio.file.StandardOpenOption.WRITE)) {
      channel.truncate(size - 5);
    }
    StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> StoreFixtures.open(base));
    assertEquals(FIRST, e.segment());
    assertTrue(e.getMessage().contains("newer segments follow"), e.getMessage());
  }

  @Test
  void open_leftoverTemporarySegment_removed() throws Exception {
    Path base = dir.resolve("base");
    StoreFixtures.open(base).close();
    Path temp = base.resolve("segments").resolve(SegmentFormat.segmentName(2) + ".tmp");
    Files.write(temp, SegmentFormat.MAGIC);
    try (DirectoryStore store = StoreFixtures.open(base)) {
      assertFalse(Files.exists(temp));
      storeClip(store, DEVICE, 1, 1, 10, true);
    }
    assertNotNull(StoreReader.open(base).clip(DEVICE, 1));
  }

  @Test
  void verify_tornTail_reportedApartFromProblems() throws Exception {
    long before = storeWithLastFrame();
    Path base = dir.resolve("base");
    try (var channel = java.nio.channels.FileChannel.open(segment(base, 1),
        java.nio.file.StandardOpenOption.WRITE)) {
      channel.truncate(before + 20);
    }
    StoreReader.Report report = StoreReader.verify(base);
    assertTrue(report.ok(), report.toString());
    assertTrue(report.tornTail().contains("offset " + before), report.tornTail());
    assertEquals(4, report.records());
  }

  private static Path segment(Path store, long number) {
    return store.resolve("segments").resolve(SegmentFormat.segmentName(number));
  }
}
