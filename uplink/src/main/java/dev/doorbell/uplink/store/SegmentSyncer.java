package dev.doorbell.uplink.store;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The syncer thread of the store's group commit. The writer hands over each batch it wrote ({@link #add}); the
 * syncer takes everything handed over so far, runs one fdatasync for all of it while the writer goes on writing,
 * then writes the checkpoint that covers it, and reports the result: records are acknowledged only once a durable
 * checkpoint covers them, and a checkpoint never covers bytes before the fdatasync that made them durable returned.
 * Its state is guarded by the store's lock, which each method takes (it is reentrant: the writer may hold it
 * already); it touches the segment only to fdatasync what was written before the call.
 */
final class SegmentSyncer {
    /** A batch written up to {@code end} of segment {@code segment}, which then held {@code records} records. */
    record Written(List<PendingRecord> batch, long segment, long end, long records) {}

    /**
     * What becomes of a result. Called on the syncer thread with the lock held, in the same hold in which the syncer
     * becomes idle, so that no roll or abandon can come between; the returned action runs after the lock is released.
     */
    interface Outcome {
        Runnable durable(List<Written> covered);

        /** {@code what} failed: "fdatasync" or "checkpoint". */
        Runnable failed(List<Written> covered, String what, Exception cause);
    }

    private final ReentrantLock lock;
    private final Condition work;
    private final Condition idle;
    private final SegmentLog segments;
    private final Outcome outcome;
    private final Thread thread;
    private final AtomicLong fsyncs = new AtomicLong();
    private final AtomicLong fsyncNanos = new AtomicLong();
    private final AtomicLong checkpointNanos = new AtomicLong();
    private volatile CommitObserver observer = CommitObserver.NONE;
    /** Batches handed over and not yet covered by an fdatasync, in log order. */
    @GuardedBy("lock")
    private final ArrayDeque<Written> written = new ArrayDeque<>();

    @GuardedBy("lock")
    private boolean syncing;

    @GuardedBy("lock")
    private boolean stopping;

    SegmentSyncer(ReentrantLock lock, SegmentLog segments, Outcome outcome) {
        this.lock = lock;
        this.work = lock.newCondition();
        this.idle = lock.newCondition();
        this.segments = segments;
        this.outcome = outcome;
        this.thread = new Thread(this::run, "doorbell-store-syncer");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** A batch whose write returned, ending at {@code end} of segment {@code segment}. */
    void add(List<PendingRecord> batch, long segment, long end, long records) {
        lock.lock();
        try {
            written.add(new Written(batch, segment, end, records));
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until nothing written waits for an fdatasync (before a roll). */
    void awaitIdle() {
        lock.lock();
        try {
            while (syncing || !written.isEmpty()) {
                idle.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * After a failure: waits for an fdatasync running on the syncer thread (what it covers was written before the
     * failure; on the syncer thread itself none is running), then takes back every batch not yet covered by one, in
     * log order.
     */
    List<PendingRecord> takeBackUnsynced() {
        lock.lock();
        try {
            while (syncing) {
                idle.awaitUninterruptibly();
            }
            List<PendingRecord> records = new ArrayList<>();
            written.forEach(w -> records.addAll(w.batch()));
            written.clear();
            return records;
        } finally {
            lock.unlock();
        }
    }

    void observer(CommitObserver observer) {
        this.observer = observer;
    }

    long fsyncs() {
        return fsyncs.get();
    }

    long fsyncNanos() {
        return fsyncNanos.get();
    }

    long checkpointNanos() {
        return checkpointNanos.get();
    }

    /** Makes everything handed over durable (or failed), then stops the thread and waits for it. */
    void stop() {
        lock.lock();
        try {
            stopping = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        GroupCommitWriter.joinUninterruptibly(thread);
    }

    private void run() {
        while (true) {
            List<Written> covered;
            lock.lock();
            try {
                while (written.isEmpty() && !stopping) {
                    work.awaitUninterruptibly();
                }
                if (written.isEmpty()) {
                    return;
                }
                covered = new ArrayList<>(written);
                written.clear();
                syncing = true;
            } finally {
                lock.unlock();
            }
            sync(covered);
        }
    }

    private void sync(List<Written> covered) {
        long started = System.nanoTime();
        long synced = started;
        String failed = "fdatasync";
        Exception failure = null;
        Written last = covered.get(covered.size() - 1);
        try {
            segments.force();
            synced = System.nanoTime();
            failed = "checkpoint";
            segments.commit(last.segment(), last.end(), last.records());
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        Runnable after;
        lock.lock();
        try {
            syncing = false;
            idle.signalAll();
            if (failure == null) {
                fsyncNanos.addAndGet(synced - started);
                checkpointNanos.addAndGet(System.nanoTime() - synced);
                fsyncs.incrementAndGet();
                after = outcome.durable(covered);
                int records = 0;
                for (Written w : covered) {
                    records += w.batch().size();
                }
                observer.committed(records, synced - started);
            } else {
                after = outcome.failed(covered, failed, failure);
            }
        } finally {
            lock.unlock();
        }
        after.run();
    }
}
