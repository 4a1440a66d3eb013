package dev.doorbell.device.sim;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What one simulated doorbell has done so far; read by the progress line from another thread. */
final class DoorbellCounters {
    final AtomicInteger clips = new AtomicInteger();
    final AtomicInteger openClips = new AtomicInteger();
    final AtomicInteger ringClips = new AtomicInteger();
    final AtomicInteger ringsDuringClips = new AtomicInteger();
    final AtomicInteger clipsPersisted = new AtomicInteger();
    final AtomicLong framesSealed = new AtomicLong();
    final AtomicLong sealedBytes = new AtomicLong();
    final AtomicLong framesRefused = new AtomicLong();
    /** The version of the recipient list the latest clip was sealed for. */
    final AtomicLong listVersion = new AtomicLong();
}
