package dev.doorbell.fleet;

import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.link.ClipUploader;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.LinkListener;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.link.UplinkFailure;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.proto.v1.ClipState;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.proto.v1.Welcome;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipIds;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One doorbell of a fleet run: its own link (own certificate), its pairing (signing key, owner's key, recipient list:
 * each clip gets a fresh key wrapped to the list) and seeded schedule; its {@link ClipUploader} seals and sends. The one sender thread that owns the device calls {@link #step} at each intended
 * frame time (open loop: Poisson clips, a constant rate) or {@link #topUp} whenever it may send (closed loop); acks
 * arrive on the link's event loop and are recorded against the frame's intended time, so a late sender is charged
 * to every frame it delays.
 */
final class FleetDevice implements LinkListener, SealObserver {
    private static final Logger log = LoggerFactory.getLogger(FleetDevice.class);

    /** {@code clipOrdinal} counts this device's clips in the order it opened them: clip ids are random. */
    private record Pending(long clipId, long clipOrdinal, int seq, long intendedNanos, int sealedBytes) {}

    private final String deviceId;
    private final PairedDevice paired;
    private final SecureRandom random;
    private final ClipSchedule schedule;
    private final Payloads payloads;
    private final Profile profile;
    private final FleetMetrics metrics;
    private final LongSupplier nanoTime;
    private final Consumer<FleetDevice> onFirstWelcome;
    /** Between two frames of a constant rate; 0 for Poisson clips and saturation. */
    private final long constantIntervalNanos;
    /** Where this device's constant-rate frames fall within the interval, so the fleet's are evenly spaced. */
    private final long constantOffsetNanos;

    private final int inflight;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Per clip, the frames the uplink acknowledged PERSISTED; checked against the next Welcome. */
    private final Map<Long, Integer> ackedFrames = new HashMap<>();
    /** The ordinal of each clip that may still have frames pending, by clip id. */
    private final Map<Long, Long> clipOrdinals = new HashMap<>();

    private final int padTo;

    private ClipUploader uploader;
    /** Wakes the owner of a closed loop when an ack makes room; null for an open loop, which keeps its own time. */
    private volatile Thread wakeOnAck;

    private long clipsOpened;
    private long draws;
    private int clipFrames;
    private long clipStartNanos;
    private long nextNanos;
    /** The intended time of the frame being sealed, for {@link #frameSealed}. */
    private long sealingIntendedNanos;

    private boolean welcomed;
    /** Counted as a connect failure: never welcomed in time, or never started. Never welcomed after that. */
    private boolean failed;

    private boolean up;
    /** When this device began connecting, or lost its connection (nanoTime); 0 when connected or not started. */
    private long connectingSinceNanos;
    /** PERSISTED latency of this device's frames, for the report's slowest devices. */
    private long persistedFrames;

    private long latencySumMicros;
    private long latencyMaxMicros;
    private long reconnects;
    private long errors;

    /**
     * Device {@code runIndex} of the run's {@code runDevices} (which share a constant rate), {@code globalIndex} in the
     * whole fleet (which seeds what it draws).
     */
    FleetDevice(
            String deviceId,
            PairedDevice paired,
            SecureRandom random,
            ClipSchedule schedule,
            Payloads payloads,
            Profile profile,
            Traffic traffic,
            int globalIndex,
            int runIndex,
            int runDevices,
            FleetMetrics metrics,
            LongSupplier nanoTime,
            int padTo,
            Consumer<FleetDevice> onFirstWelcome) {
        this.deviceId = deviceId;
        this.paired = paired;
        this.random = random;
        this.schedule = schedule;
        this.payloads = payloads;
        this.profile = profile;
        this.metrics = metrics;
        this.nanoTime = nanoTime;
        this.padTo = padTo;
        this.draws = (long) globalIndex * 7;
        this.onFirstWelcome = onFirstWelcome;
        this.inflight = traffic.inflight();
        if (traffic instanceof Traffic.ConstantRate c) {
            constantIntervalNanos = Math.max(1, (long) (runDevices * 1e9 / c.framesPerSecond()));
            constantOffsetNanos = (long) (runIndex * 1e9 / c.framesPerSecond()) % constantIntervalNanos;
        } else {
            constantIntervalNanos = 0;
            constantOffsetNanos = 0;
        }
    }

    void attach(ClipUploader clipUploader) {
        this.uploader = clipUploader;
    }

    LinkClient link() {
        return uploader.link();
    }

    String deviceId() {
        return deviceId;
    }

    /** The intended time of this device's next frame (open loop); the owner thread only. */
    long nextNanos() {
        return nextNanos;
    }

    /**
     * Starts this device's schedule at {@code nowNanos}: the first clip after a Poisson gap, or the first frame of a
     * constant rate at this device's offset; the owner thread only. A closed loop's owner is woken by acks.
     */
    void begin(long nowNanos, Thread owner) {
        nextNanos = nowNanos + (constantIntervalNanos > 0 ? constantOffsetNanos : schedule.nextGapNanos());
        if (inflight < Integer.MAX_VALUE && constantIntervalNanos == 0) {
            wakeOnAck = owner;
        }
    }

    /**
     * Sends the frame intended at {@link #nextNanos} (opening its clip first) and schedules the next one; at a constant
     * rate, a device with {@code inflight} frames unpersisted skips its frame instead.
     */
    void step(long wallClockMs) {
        long intended = nextNanos;
        if (constantIntervalNanos > 0) {
            nextNanos += constantIntervalNanos;
            if (unpersisted() >= inflight) {
                metrics.framesSkipped.increment();
            } else {
                send(intended, wallClockMs);
            }
            return;
        }
        if (!send(intended, wallClockMs)) {
            nextNanos += schedule.frameIntervalNanos();
        } else if (!uploader.clipOpen()) {
            nextNanos = clipStartNanos + clipFrames * schedule.frameIntervalNanos() + schedule.nextGapNanos();
        } else {
            nextNanos = clipStartNanos + uploader.nextSeq() * schedule.frameIntervalNanos();
        }
    }

    /** Closed loop: sends a frame now, intended now, if fewer than {@code inflight} are unpersisted. */
    boolean topUp(long nowNanos, long wallClockMs) {
        if (unpersisted() >= inflight) {
            return false;
        }
        send(nowNanos, wallClockMs);
        return true;
    }

    /**
     * Ends a clip cut short by the end of the run: one more frame, sealed as the last (the uplink accepts a close only
     * after a last frame), intended now at the latest; the owner thread only.
     */
    void finish(long nowNanos, long wallClockMs) {
        if (uploader.clipOpen()) {
            clipFrames = uploader.nextSeq() + 1;
            send(Math.min(nextNanos, nowNanos), wallClockMs);
        }
    }

    /** Seals and queues the next frame, opening a clip first when none is open; false when the link refused it. */
    private boolean send(long intendedNanos, long wallClockMs) {
        if (!uploader.clipOpen()) {
            clipFrames = schedule.nextClipFrames();
            clipStartNanos = intendedNanos;
            ClipParams params = new ClipParams(
                    deviceId,
                    ClipIds.random(random),
                    Trigger.TRIGGER_MOTION,
                    Codec.CODEC_MJPEG,
                    profile.width(),
                    profile.height(),
                    profile.fps(),
                    wallClockMs,
                    0);
            // Before the header goes to the link: its acks may come back at once, on the event loop.
            synchronized (this) {
                clipOrdinals.put(params.clipId(), ++clipsOpened);
            }
            if (!uploader.open(paired.startClip(params, List.of(), padTo, random))) {
                refused(params.clipId(), "the link refused the clip header");
                return false;
            }
            metrics.clips.increment();
            metrics.openClips.increment();
        }
        long clipId = uploader.clipId();
        int seq = uploader.nextSeq();
        boolean last = seq == clipFrames - 1;
        sealingIntendedNanos = intendedNanos;
        SealedFrame frame = uploader.send(seq * schedule.frameIntervalNanos() / 1000, payloads.payload(draws++), last);
        if (frame == null) {
            synchronized (this) {
                pending.removeLast();
            }
            metrics.openClips.decrement();
            refused(clipId, "the link refused frame " + seq);
            return false;
        }
        metrics.framesSent.increment();
        metrics.bytesSent.add(frame.sealed().length);
        if (last) {
            metrics.openClips.decrement();
        }
        return true;
    }

    /** Before the link has the frame: its ack may come back at once, on the event loop. */
    @Override
    public void frameSealed(String device, SealedFrame sealed, byte[] plaintext) {
        synchronized (this) {
            pending.add(new Pending(
                    sealed.clipId(), clipsOpened, sealed.seq(), sealingIntendedNanos, sealed.sealed().length));
        }
    }

    /** The ramp is starting this device's link now: its time to Welcome counts from here. */
    synchronized void connecting() {
        connectingSinceNanos = nanoTime.getAsLong();
    }

    /** This device's PERSISTED latency and troubles so far, for the report's slowest devices. */
    synchronized SlowDevice latencyFigures() {
        return new SlowDevice(
                deviceId,
                persistedFrames,
                persistedFrames == 0 ? 0 : latencySumMicros / 1000.0 / persistedFrames,
                latencyMaxMicros / 1000.0,
                reconnects,
                errors);
    }

    /** Whether the uplink has welcomed this device at least once. */
    synchronized boolean welcomed() {
        return welcomed;
    }

    /**
     * Counts this device as a connect failure, unless it was welcomed or counted already, and closes its link.
     * {@code why} is the reason counted when the device had no failed attempt of its own (the run's view: no Welcome
     * in time, or not started); otherwise its latest failure's reason is counted. Returns the reason counted, or
     * null when the device was not counted now.
     */
    String fail(String why) {
        synchronized (this) {
            if (welcomed || failed) {
                return null;
            }
            failed = true;
        }
        String reason =
                metrics.census.latest(deviceId).map(f -> f.kind().label()).orElse(why);
        metrics.connecting.decrement();
        metrics.failed.increment();
        metrics.connectFailed(reason);
        link().close();
        return reason;
    }

    /** Frames sent and not yet PERSISTED. */
    synchronized int unpersisted() {
        return pending.size();
    }

    /** After a refusal the clip cannot be completed in order; the next frame starts a new clip. */
    private void refused(long clipId, String why) {
        metrics.refused.increment();
        metrics.errorTable.add("refused", 1);
        synchronized (this) {
            errors++;
        }
        log.warn("device {} clip {}: {}; the next frame starts a new clip", deviceId, clipId, why);
    }

    @Override
    public void onWelcome(Welcome welcome) {
        boolean first;
        long lost = 0;
        synchronized (this) {
            if (failed) {
                // Welcomed just after the run gave up on it: its link is closing, and it stays a failure.
                return;
            }
            first = !welcomed;
            welcomed = true;
            up = true;
            if (connectingSinceNanos != 0) {
                metrics.welcomedAfter(nanoTime.getAsLong() - connectingSinceNanos);
                connectingSinceNanos = 0;
            }
            if (!first) {
                reconnects++;
            }
            // Welcome names every clip this device still holds; a clip it no longer holds cannot be checked again.
            Set<Long> held = new HashSet<>();
            for (ClipState state : welcome.getClipsList()) {
                lost += Math.max(0, ackedFrames.getOrDefault(state.getClipId(), 0) - state.getPersistedFrames());
                held.add(state.getClipId());
            }
            ackedFrames.keySet().retainAll(held);
        }
        metrics.census.welcomed();
        metrics.connected.increment();
        metrics.connects.increment();
        if (lost > 0) {
            metrics.lostAcked.add(lost);
            metrics.errorTable.add("lost acknowledged", lost);
            log.error("device {}: the uplink lost {} frames it had acknowledged PERSISTED", deviceId, lost);
        }
        if (first) {
            metrics.lastFirstWelcomeNanos.accumulateAndGet(nanoTime.getAsLong(), Math::max);
            metrics.connecting.decrement();
            onFirstWelcome.accept(this);
        } else {
            metrics.reconnects.increment();
        }
    }

    @Override
    public void onConnectFailed(UplinkFailure failure) {
        metrics.census.failed(deviceId, failure);
    }

    @Override
    public void onDisconnected() {
        synchronized (this) {
            if (!up) {
                return;
            }
            up = false;
            connectingSinceNanos = nanoTime.getAsLong();
        }
        metrics.connected.decrement();
    }

    @Override
    public void onPersisted(long clipId, int persisted) {
        long now = nanoTime.getAsLong();
        synchronized (this) {
            ackedFrames.merge(clipId, persisted, Math::max);
            Long ordinal = clipOrdinals.get(clipId);
            if (ordinal != null) {
                // An ack of a clip covers every frame of the clips this device opened before it, as it always has.
                Pending head;
                while ((head = pending.peek()) != null
                        && (head.clipOrdinal < ordinal || (head.clipId == clipId && head.seq < persisted))) {
                    pending.poll();
                    long micros = metrics.persisted(head.intendedNanos, now, head.sealedBytes);
                    persistedFrames++;
                    latencySumMicros += micros;
                    latencyMaxMicros = Math.max(latencyMaxMicros, micros);
                }
                clipOrdinals.values().removeIf(o -> o < ordinal);
            }
        }
        Thread owner = wakeOnAck;
        if (owner != null) {
            LockSupport.unpark(owner);
        }
    }

    @Override
    public void onError(Error error) {
        metrics.errors.increment();
        metrics.errorTable.add("uplink " + error.getCode().name(), 1);
        synchronized (this) {
            errors++;
        }
        log.warn(
                "device {}: uplink error {} ({}): {}",
                deviceId,
                error.getCode(),
                error.getRetriable() ? "retriable" : "not retriable",
                error.getMessage());
    }
}
