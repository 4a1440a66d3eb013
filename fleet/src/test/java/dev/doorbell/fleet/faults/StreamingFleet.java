package dev.doorbell.fleet.faults;

import dev.doorbell.device.camera.FramePool;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.link.BufferPolicy;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.LinkConfig;
import dev.doorbell.device.link.LinkListener;
import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.device.tls.DeviceTls;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipSealing;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Doorbells that stream without pause: each has a thread that seals pooled frames at a steady rate into clips of a
 * fixed length and hands them to its {@link LinkClient}, which keeps them until PERSISTED and resumes by itself
 * after the uplink goes away. Records what a fault test needs: the header and the SHA-256 of every sealed frame as
 * sent, and for each clip the highest PERSISTED count the device was told.
 */
final class StreamingFleet implements AutoCloseable {
    private static final Duration MAX_RUN = Duration.ofSeconds(120);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<DeviceDirectory> devices;
    private final List<LinkClient> links = new ArrayList<>();
    private final List<Thread> senders = new ArrayList<>();
    private final FramePool pool = FramePool.shared(Profile.P240, 11, 24);
    private final int framesPerSecond;
    private final int framesPerClip;
    private volatile boolean stopping;

    /** Key "device/clip/seq" to the SHA-256 of the sealed bytes sent. */
    final Map<String, byte[]> sentDigests = new ConcurrentHashMap<>();
    /** Key "device/clip" to the header bytes sent. */
    final Map<String, byte[]> headers = new ConcurrentHashMap<>();
    /** Key "device/clip" to the highest cumulative PERSISTED count received. */
    final Map<String, Integer> persisted = new ConcurrentHashMap<>();
    /** Key "device/clip" to the number of frames of a clip that the sender closed. */
    final Map<String, Integer> closedClips = new ConcurrentHashMap<>();

    StreamingFleet(List<DeviceDirectory> devices, int port, long seed, int framesPerSecond, int framesPerClip) {
        this.devices = List.copyOf(devices);
        this.framesPerSecond = framesPerSecond;
        this.framesPerClip = framesPerClip;
        Random jitter = new Random(seed);
        for (DeviceDirectory device : devices) {
            LinkConfig config = LinkConfig.builder("127.0.0.1", port, device.deviceId())
                    .tls(DeviceTls.clientContext(device))
                    .connectTimeout(Duration.ofSeconds(5))
                    // Restarts take about a second; a short ceiling lets devices find the new uplink soon after it
                    // listens.
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(400))
                    .random(new Random(jitter.nextLong()))
                    .buffer(32L << 20, BufferPolicy.BLOCK)
                    .build();
            links.add(new LinkClient(config, group, new Recorder(device.deviceId())));
        }
    }

    static String key(String deviceId, long clipId) {
        return deviceId + "/" + clipId;
    }

    static String key(String deviceId, long clipId, int seq) {
        return deviceId + "/" + clipId + "/" + seq;
    }

    List<LinkClient> links() {
        return links;
    }

    /** Connects every link (waiting for the first Welcome) and starts the senders. */
    void start() throws Exception {
        List<CompletableFuture<?>> welcomes = new ArrayList<>();
        for (LinkClient link : links) {
            welcomes.add(link.start());
        }
        CompletableFuture.allOf(welcomes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        for (int i = 0; i < devices.size(); i++) {
            DeviceDirectory device = devices.get(i);
            LinkClient link = links.get(i);
            Thread t = new Thread(() -> stream(device, link), "sender-" + device.deviceId());
            t.setDaemon(true);
            t.start();
            senders.add(t);
        }
    }

    /** Asks the senders to end their current clip with a last frame, and waits until they have. */
    void stopSending() throws InterruptedException {
        stopping = true;
        for (Thread t : senders) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " did not finish its clip within 30 s");
            }
        }
    }

    /** True when every link has everything it queued PERSISTED within {@code timeout}. */
    boolean drain(Duration timeout) {
        List<CompletableFuture<Void>> drains = new ArrayList<>();
        for (LinkClient link : links) {
            drains.add(link.drain(timeout));
        }
        try {
            CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    int framesSent() {
        return sentDigests.size();
    }

    @Override
    public void close() {
        stopping = true;
        links.forEach(LinkClient::close);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private void stream(DeviceDirectory device, LinkClient link) {
        PairedDevice paired = DevicePairing.load(device.path());
        SecureRandom random = new SecureRandom();
        long periodNanos = TimeUnit.SECONDS.toNanos(1) / framesPerSecond;
        long next = System.nanoTime();
        long hardStop = next + MAX_RUN.toNanos();
        long clipId = 0;
        while (!stopping && System.nanoTime() < hardStop) {
            clipId++;
            long startMs = System.currentTimeMillis();
            Profile p = pool.profile();
            ClipSealing sealer = paired.startClip(
                    new ClipParams(
                            device.deviceId(),
                            clipId,
                            Trigger.TRIGGER_MOTION,
                            Codec.CODEC_MJPEG,
                            p.width(),
                            p.height(),
                            p.fps(),
                            startMs,
                            0),
                    List.of(),
                    0,
                    random);
            headers.put(key(device.deviceId(), clipId), sealer.headerBytes());
            offer(link, () -> link.openClip(sealer.clipId(), sealer.headerBytes()), hardStop);
            int seq = 0;
            boolean last = false;
            while (!last) {
                LockSupport.parkNanos(next - System.nanoTime());
                next += periodNanos;
                last = seq == framesPerClip - 1 || stopping || System.nanoTime() >= hardStop;
                SealedFrame sealed = sealer.seal(
                        startMs * 1000 + seq * (periodNanos / 1000),
                        pool.next(0).jpeg(),
                        last);
                sentDigests.put(key(device.deviceId(), clipId, seq), sha256(sealed.sealed()));
                offer(
                        link,
                        () -> link.send(sealed.clipId(), sealed.seq(), sealed.last(), sealed.meta(), sealed.sealed()),
                        hardStop);
                seq++;
            }
            link.closeClip(clipId, seq);
            closedClips.put(key(device.deviceId(), clipId), seq);
        }
    }

    /** The outbox refuses (BLOCK) while it is full, which it is only while the uplink is down for long. */
    private static void offer(LinkClient link, BooleanSupplier enqueue, long hardStop) {
        while (!enqueue.getAsBoolean()) {
            if (System.nanoTime() > hardStop) {
                throw new IllegalStateException(
                        "outbox of " + link.deviceId() + " stayed full until the end of the run");
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private final class Recorder implements LinkListener {
        private final String deviceId;

        Recorder(String deviceId) {
            this.deviceId = deviceId;
        }

        @Override
        public void onPersisted(long clipId, int frames) {
            persisted.merge(key(deviceId, clipId), frames, Math::max);
        }
    }
}
