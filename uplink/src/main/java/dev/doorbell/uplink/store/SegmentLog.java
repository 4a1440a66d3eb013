package dev.doorbell.uplink.store;

import com.sun.nio.file.ExtendedOpenOption;
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
 *
 * <p>Batches are written with direct I/O (O_DIRECT) when the file system allows it: the data goes from the writer's
 * one reused buffer to the disk, without a copy into the page cache, whose fresh pages cost more than the disk here.
 * Direct writes cover whole blocks, so each batch starts at the block boundary below the end of the log and carries
 * that block's bytes again, and ends with zeros up to the next boundary. Those zeros are cut when the segment is
 * closed or rolled; after a crash recovery cuts them like a torn tail (docs/FORMAT.md §6). Where O_DIRECT is refused
 * (some file systems), batches go through the page cache at the end of the log, with the same fsyncs.
 */
final class SegmentLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SegmentLog.class);
  private static final int MIN_BLOCK = 4096;
  private static final int MIN_BUFFER = 1 << 20;

  private final Path dir;
  private final DiskOps ops;
  private final int block;
  private boolean direct;
  private long nextNumber;
  private long number;
  private volatile FileChannel channel;
  private long position;
  private volatile long durableSize;
  /** Direct I/O: the bytes of the last partial block, [alignDown(position), position), written again next time. */
  private byte[] tail = new byte[0];
  private ByteBuffer buffer;

  SegmentLog(Path segmentsDir, DiskOps ops, long nextNumber, boolean directIo) throws IOException {
    this.dir = segmentsDir;
    this.ops = ops;
    this.nextNumber = nextNumber;
    this.direct = directIo;
    this.block = (int) Math.max(MIN_BLOCK, Math.min(1 << 16, Files.getFileStore(segmentsDir).getBlockSize()));
  }

  /** Continues the newest segment found on open, whose valid records end at {@code size}. */
  void resume(long segmentNumber, long size) throws IOException {
    channel = openForAppend(dir.resolve(SegmentFormat.segmentName(segmentNumber)));
    number = segmentNumber;
    position = size;
    durableSize = size;
    tail = direct ? readTail(dir.resolve(SegmentFormat.segmentName(segmentNumber)), size) : new byte[0];
    nextNumber = Math.max(nextNumber, segmentNumber + 1);
  }

  /** Starts the next segment; on success the previous one (fully durable, its padding cut) is closed. */
  void startNew() throws IOException {
    trimPadding();
    long candidate = nextNumber++;
    String name = SegmentFormat.segmentName(candidate);
    Path temp = dir.resolve(name + ".tmp");
    try (FileChannel created = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ops.write(created, new ByteBuffer[] {ByteBuffer.wrap(SegmentFormat.MAGIC)});
      ops.force(created);
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    ops.forceDirectory(dir);
    FileChannel appending = openForAppend(dir.resolve(name));
    closeChannel();
    channel = appending;
    number = candidate;
    position = SegmentFormat.MAGIC.length;
    durableSize = position;
    tail = direct ? SegmentFormat.MAGIC.clone() : new byte[0];
    log.info("store segment {} started ({} I/O)", name, direct ? "direct" : "buffered");
  }

  /** True when a batch of {@code bytes} must go to a new segment first. */
  boolean needsRoll(long bytes, long segmentBytes) {
    return position > SegmentFormat.MAGIC.length && position + bytes > segmentBytes;
  }

  long number() {
    return number;
  }

  /** Where the next record starts: the end of the records written so far. */
  long position() {
    return position;
  }

  /**
   * The writer's reused buffer, with room for {@code recordBytes} more, positioned where the next batch's records
   * go (after the carried tail block bytes in direct mode). Fill it, then {@link #append} it.
   */
  ByteBuffer batchBuffer(long recordBytes) {
    long needed = tail.length + recordBytes + block;
    if (needed > Integer.MAX_VALUE - block) {
      throw new IllegalStateException("a batch of " + recordBytes + " bytes does not fit one buffer");
    }
    if (buffer == null || buffer.capacity() < needed) {
      int capacity = (int) Math.min(Integer.MAX_VALUE - block,
          Math.max(needed, buffer == null ? MIN_BUFFER : 2L * buffer.capacity()));
      buffer = ByteBuffer.allocateDirect(capacity + block).alignedSlice(block);
    }
    return buffer.clear().put(tail);
  }

  /** Writes the records put into {@link #batchBuffer} since it was handed out; durable only after {@link #force}. */
  void append(ByteBuffer filled) throws IOException {
    int end = filled.position();
    long records = end - tail.length;
    long start = position - tail.length;
    if (direct) {
      int padded = (int) alignUp(end);
      filled.limit(padded);
      while (filled.position() < padded) {
        filled.put((byte) 0);
      }
      ops.write(channel, filled.position(0), start);
      long newPosition = position + records;
      int keep = (int) (newPosition - alignDown(newPosition));
      tail = new byte[keep];
      buffer.get(end - keep, tail);
      position = newPosition;
    } else {
      ops.write(channel, filled.flip(), start);
      position += records;
    }
  }

  /**
   * fdatasync: the data and the metadata needed to read it back (the file size), for everything written before the
   * call; {@code covered} is the end of the last record whose write had returned. Called by the syncer thread while
   * the writer may append more (never while it rolls or abandons the segment).
   */
  void force(long covered) throws IOException {
    ops.force(channel);
    durableSize = covered;
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

  /** Cuts the padding of direct writes, when everything written is durable, and closes the file. */
  @Override
  public void close() throws IOException {
    try {
      trimPadding();
    } finally {
      closeChannel();
    }
  }

  private void trimPadding() throws IOException {
    if (channel != null && position == durableSize && channel.size() > position) {
      channel.truncate(position);
      ops.force(channel);
    }
  }

  private FileChannel openForAppend(Path file) throws IOException {
    if (direct) {
      try {
        return FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
      } catch (IOException | UnsupportedOperationException e) {
        direct = false;
        log.info("store uses buffered I/O: direct I/O is not available in {} ({})", dir, e.toString());
      }
    }
    return FileChannel.open(file, StandardOpenOption.WRITE);
  }

  /** Direct reads need aligned buffers too; the few tail bytes are read through the page cache instead. */
  private byte[] readTail(Path file, long size) throws IOException {
    try (FileChannel reading = FileChannel.open(file, StandardOpenOption.READ)) {
      return SegmentScanner.read(reading, alignDown(size), (int) (size - alignDown(size)));
    }
  }

  private long alignDown(long offset) {
    return offset - offset % block;
  }

  private long alignUp(long offset) {
    return alignDown(offset + block - 1);
  }

  private void closeChannel() throws IOException {
    if (channel != null) {
      FileChannel closing = channel;
      channel = null;
      closing.close();
    }
  }
}
