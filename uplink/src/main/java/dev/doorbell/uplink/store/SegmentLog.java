package dev.doorbell.uplink.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment being appended to. Used by the writer thread only (and by open, before that thread starts).
 * A new segment is made as a temporary file holding the magic, fsync'd, renamed into place, and the directory
 * fsync'd: a segment name that survives a crash always names a whole, valid segment.
 */
final class SegmentLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SegmentLog.class);

  private final Path dir;
  private final DiskOps ops;
  private long nextNumber;
  private long number;
  private FileChannel channel;
  private long position;
  private long durableSize;

  SegmentLog(Path segmentsDir, DiskOps ops, long nextNumber) {
    this.dir = segmentsDir;
    this.ops = ops;
    this.nextNumber = nextNumber;
  }

  /** Continues the newest segment found on open, whose valid records end at {@code size}. */
  void resume(long segmentNumber, long size) throws IOException {
    channel = FileChannel.open(dir.resolve(SegmentFormat.segmentName(segmentNumber)), StandardOpenOption.WRITE);
    channel.position(size);
    number = segmentNumber;
    position = size;
    durableSize = size;
    nextNumber = Math.max(nextNumber, segmentNumber + 1);
  }

  /** Starts the next segment; on success the previous one (fully durable) is closed. */
  void startNew() throws IOException {
    long candidate = nextNumber++;
    String name = SegmentFormat.segmentName(candidate);
    Path temp = dir.resolve(name + ".tmp");
    FileChannel created = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      ops.write(created, new ByteBuffer[] {ByteBuffer.wrap(SegmentFormat.MAGIC)});
      ops.force(created);
      Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      ops.forceDirectory(dir);
    } catch (IOException e) {
      created.close();
      Files.deleteIfExists(temp);
      throw e;
    }
    closeChannel();
    channel = created;
    number = candidate;
    position = SegmentFormat.MAGIC.length;
    durableSize = position;
    log.info("store segment {} started", name);
  }

  /** True when a batch of {@code bytes} must go to a new segment first. */
  boolean needsRoll(long bytes, long segmentBytes) {
    return position > SegmentFormat.MAGIC.length && position + bytes > segmentBytes;
  }

  boolean active() {
    return channel != null;
  }

  long number() {
    return number;
  }

  long position() {
    return position;
  }

  void write(ByteBuffer[] buffers, long bytes) throws IOException {
    ops.write(channel, buffers);
    position += bytes;
  }

  void force() throws IOException {
    ops.force(channel);
    durableSize = position;
  }

  /**
   * Gives up the current segment after a failed write or fsync: cuts whatever follows the last successful fsync,
   * so that no half-written or unacknowledged record stays in a segment that later ones follow, makes that cut
   * durable, and closes the file. The writer never appends to an abandoned segment again. Safe to call again
   * after it failed.
   */
  void abandon() throws IOException {
    if (channel == null) {
      return;
    }
    if (channel.size() != durableSize) {
      channel.truncate(durableSize);
      ops.force(channel);
      log.warn("store segment {} abandoned and cut back to {} durable bytes", SegmentFormat.segmentName(number),
          durableSize);
    }
    position = durableSize;
    closeChannel();
  }

  @Override
  public void close() throws IOException {
    closeChannel();
  }

  private void closeChannel() throws IOException {
    if (channel != null) {
      FileChannel closing = channel;
      channel = null;
      closing.close();
    }
  }
}
