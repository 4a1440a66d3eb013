package dev.doorbell.conformance.bench;

import dev.doorbell.conformance.bench.BenchOutcome.Verdict;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.proto.v1.Ack;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.ClipClose;
import dev.doorbell.proto.v1.ClipOpen;
import dev.doorbell.proto.v1.ClipState;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Frame;
import dev.doorbell.proto.v1.Hello;
import dev.doorbell.proto.v1.Pong;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.proto.v1.Welcome;
import dev.doorbell.seal.StoredFrameBytes;
import dev.doorbell.seal.v2.Identity;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A test uplink for a device under test: real TLS with the fleet's uplink identity, the protocol of
 * docs/PROTOCOL.md, and a script that breaks the link on purpose (docs/FIRMWARE.md). One device at a time; every
 * clip is kept in memory only, for as long as the bench runs. The clip cases are played on the device's clips in
 * the order it opens them ({@link #CLIP_SCRIPT}); the bench is done when the revocation watch ends, or when
 * {@link #finish()} is called, and then judges every case (a case the device never reached is NOT_RUN).
 *
 * <p>All state is guarded by this object's lock; each connection has a reader thread, and one scheduler thread
 * runs the timers.
 */
public final class DeviceBench implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeviceBench.class);

    static final List<BenchCase> CLIP_SCRIPT = List.of(
            BenchCase.NORMAL_CLIP,
            BenchCase.SMALL_WINDOW,
            BenchCase.PERSISTED_WITHHELD,
            BenchCase.LINK_DROP,
            BenchCase.STORAGE_UNAVAILABLE,
            BenchCase.SHUTDOWN_RESTART,
            BenchCase.REVOKED);
    private static final long WINDOW_HOLD_MS = 300;
    private static final long QUICK_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final BenchConfig config;
    private final SSLContext tls;
    private final ClipWatch watch;
    private final Consumer<String> faultSink;
    private final BenchTranscripts transcripts;
    private final ScheduledExecutorService timers;
    private final Map<Long, Clip> clips = new LinkedHashMap<>();
    private final Map<BenchCase, BenchOutcome> outcomes = new EnumMap<>(BenchCase.class);
    private final Map<BenchCase, Long> caseStarted = new EnumMap<>(BenchCase.class);
    private final List<String> limitViolations = new ArrayList<>();
    private final List<String> headerFaults = new ArrayList<>();
    private final List<String> sealingFaults = new ArrayList<>();
    private final CountDownLatch done = new CountDownLatch(1);

    private ServerSocket server;
    private int boundPort;
    private boolean closed;
    private String deviceId;
    private int welcomes;
    private Session current;
    private long lastDeviceMessageNanos;
    private final List<Long> retryDelaysNanos = new ArrayList<>();
    private long storageRefusedAtNanos;
    private boolean awaitingRetry;
    private long revokedAtNanos;
    private final List<Long> connectsAfterRevoked = new ArrayList<>();

    /**
     * @param identity the owner's identity to open every frame with (insecure: the bench then holds what opens the
     *     device's clips; for test fleets only), or empty
     * @param faultSink told each fault at once, as a line
     */
    public DeviceBench(BenchConfig config, Optional<Identity> identity, Consumer<String> faultSink) throws IOException {
        this(config, identity, faultSink, BenchTranscripts.off());
    }

    /** As above, and tells {@code transcripts} every message and event (the golden transcripts' recorder). */
    public DeviceBench(
            BenchConfig config, Optional<Identity> identity, Consumer<String> faultSink, BenchTranscripts transcripts)
            throws IOException {
        this.config = config;
        this.transcripts = transcripts;
        this.tls = BenchTls.serverContext(config.fleetDir());
        this.watch = new ClipWatch(identity);
        this.faultSink = faultSink;
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-timers");
            t.setDaemon(true);
            return t;
        });
    }

    /** The cases this bench judges: every case, but {@link BenchCase#SEALING} only with an identity. */
    public List<BenchCase> cases() {
        List<BenchCase> all = new ArrayList<>(Arrays.asList(BenchCase.values()));
        if (!watch.opensFrames()) {
            all.remove(BenchCase.SEALING);
        }
        return all;
    }

    /** The device under test, once one has connected. */
    public synchronized String deviceId() {
        return deviceId;
    }

    public boolean opensFrames() {
        return watch.opensFrames();
    }

    /** Binds and starts accepting; returns the port. */
    public synchronized int start() throws IOException {
        listen(config.port());
        return boundPort;
    }

    /** Waits until every case is judged or the timeout passes (then judges what is left); returns the outcomes. */
    public List<BenchOutcome> await(Duration timeout) throws InterruptedException {
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            finish();
        }
        synchronized (this) {
            return cases().stream().map(outcomes::get).toList();
        }
    }

    /** Ends the run now: every case not yet judged is judged on what was seen. */
    public synchronized void finish() {
        if (done.getCount() == 0) {
            return;
        }
        if (revokedAtNanos != 0 && !outcomes.containsKey(BenchCase.REVOKED)) {
            judgeRevoked();
        }
        judge(
                BenchCase.WELCOME_LIMITS,
                welcomes > 0,
                limitViolations,
                welcomes + " sessions, " + clips.size() + " clips, every limit kept");
        judge(BenchCase.CLIP_HEADERS, !clips.isEmpty(), headerFaults, clips.size() + " clip headers, nothing repeated");
        if (watch.opensFrames()) {
            judge(
                    BenchCase.SEALING,
                    watch.clipsOpened() > 0 || !sealingFaults.isEmpty(),
                    sealingFaults,
                    watch.clipsOpened() + " clips opened frame by frame, every frame OK");
        }
        for (Clip c : clips.values()) {
            if (c.script != null && c.script != BenchCase.REVOKED && !outcomes.containsKey(c.script)) {
                decide(
                        c.script,
                        Verdict.FAIL,
                        "clip " + ClipWatch.hex(c.id) + " was never finished: " + c.persisted
                                + " frames PERSISTED, " + (c.closeReceived ? "closed" : "not closed")
                                + (c.dropped
                                        ? "; the device did not come back to it after the bench broke the link"
                                        : ""));
            }
        }
        for (BenchCase c : cases()) {
            outcomes.computeIfAbsent(c, k -> outcome(k, Verdict.NOT_RUN, notRunReason(k)));
        }
        done.countDown();
        closeQuietly();
    }

    @Override
    public void close() {
        finish();
        timers.shutdownNow();
    }

    private String notRunReason(BenchCase c) {
        int index = CLIP_SCRIPT.indexOf(c == BenchCase.PING ? BenchCase.PERSISTED_WITHHELD : c);
        if (index >= 0 && clips.size() <= index) {
            return "the device opened " + clips.size() + " clips; this case plays on clip " + (index + 1);
        }
        return "the case did not finish before the run ended";
    }

    // ---- listening and sessions

    private void listen(int port) throws IOException {
        SSLServerSocket socket = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
        socket.setReuseAddress(true);
        socket.setEnabledProtocols(new String[] {BenchTls.PROTOCOL});
        socket.setNeedClientAuth(true);
        socket.bind(new InetSocketAddress(config.host(), port));
        server = socket;
        boundPort = socket.getLocalPort();
        Thread acceptor = new Thread(() -> accept(socket), "bench-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        log.info("device bench listening on {}:{}", config.host(), boundPort);
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                long at = System.nanoTime();
                Thread reader = new Thread(() -> serve((SSLSocket) s, at), "bench-session");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.warn("device bench: accept failed: {}", e.toString());
                }
            }
        }
    }

    private void serve(SSLSocket socket, long acceptedNanos) {
        Session session = new Session(socket);
        try (socket) {
            socket.setSoTimeout(BenchConfig.HANDSHAKE_DEADLINE_MS);
            socket.startHandshake();
            String certId = DeviceDirectory.deviceIdOf(
                    (X509Certificate) socket.getSession().getPeerCertificates()[0]);
            session.out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            if (connected(session, certId, acceptedNanos) && hello(session, certId, readBody(in))) {
                socket.setSoTimeout(BenchConfig.IDLE_TIMEOUT_MS);
                while (handle(session, readBody(in))) {
                    // each message is handled under the bench's lock
                }
            }
            if (session.closing) {
                drainAfterFatal(socket, in);
            }
        } catch (EOFException e) {
            log.debug("device bench: the device closed the connection");
        } catch (IOException e) {
            log.debug("device bench: session ended: {}", e.toString());
        } finally {
            ended(session);
        }
    }

    /**
     * After a fatal Error the bench ends its own side first (close_notify), then reads and drops what the device
     * still sends until it closes, for at most 5 s, as docs/PROTOCOL.md's uplink does: closing a socket with unread
     * input makes the kernel send a reset, which can destroy the Error before the device reads it.
     */
    private static void drainAfterFatal(SSLSocket socket, InputStream in) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(5000);
            byte[] sink = new byte[8192];
            while (in.read(sink) >= 0) {
                // dropped unread
            }
        } catch (IOException e) {
            log.debug("device bench: drain after a fatal Error ended: {}", e.toString());
        }
    }

    /** The device's TLS is up: counts reconnects the cases watch; false when the session must end at once. */
    private synchronized boolean connected(Session session, String certId, long acceptedNanos) throws IOException {
        if (awaitingRetry) {
            retried(acceptedNanos);
        }
        if (revokedAtNanos != 0) {
            connectsAfterRevoked.add(acceptedNanos - revokedAtNanos);
            session.label = "a connection after CERTIFICATE_REVOKED";
            transcripts.note("TLS connected after CERTIFICATE_REVOKED: refused at once");
            send(
                    session,
                    error(
                            ErrorCode.CERTIFICATE_REVOKED,
                            true,
                            false,
                            0,
                            "the certificate of " + certId + " is revoked (device bench, case revoked)"));
            session.closing = true;
            return false;
        }
        if (certId == null) {
            violation("a client certificate without a urn:doorbell:device: SAN URI connected");
            return false;
        }
        if (deviceId != null && !deviceId.equals(certId)) {
            log.warn("device bench: {} connected while the bench tests {}; refused", certId, deviceId);
            return false;
        }
        deviceId = certId;
        return true;
    }

    private synchronized boolean hello(Session session, String certId, byte[] body) throws IOException {
        DeviceMessage first = DeviceMessage.parseFrom(body);
        if (current != null) {
            Session older = current;
            endLocked(older);
            older.closeQuietly();
        }
        session.label = transcripts.session();
        transcripts.received(session.label, body, first);
        if (!first.hasHello()) {
            violation("the first message of a session was " + first.getBodyCase() + ", not Hello");
            send(session, error(ErrorCode.HELLO_REQUIRED, true, false, 0, "the first message must be Hello"));
            return false;
        }
        Hello hello = first.getHello();
        if (!hello.getVersionsList().contains(1)) {
            violation("Hello offers versions " + hello.getVersionsList() + ", not 1");
        }
        if (!hello.getDeviceId().equals(certId)) {
            violation("Hello names device " + hello.getDeviceId() + ", the certificate " + certId);
        }
        current = session;
        lastDeviceMessageNanos = System.nanoTime();
        welcomes++;
        caseStarted.putIfAbsent(BenchCase.WELCOME_LIMITS, System.nanoTime());
        Welcome.Builder welcome = Welcome.newBuilder()
                .setVersion(1)
                .setDeviceId(certId)
                .setMaxMessageBytes(BenchConfig.MAX_MESSAGE_BYTES)
                .setWindowFrames(BenchConfig.WINDOW_FRAMES)
                .setWindowBytes(BenchConfig.WINDOW_BYTES)
                .setHeartbeatMs(BenchConfig.HEARTBEAT_MS)
                .setIdleTimeoutMs(BenchConfig.IDLE_TIMEOUT_MS)
                .setMaxFrameBytes(BenchConfig.MAX_FRAME_BYTES)
                .setMaxFramesPerClip(BenchConfig.MAX_FRAMES_PER_CLIP)
                .setMaxOpenClips(BenchConfig.MAX_OPEN_CLIPS)
                .setHandshakeDeadlineMs(BenchConfig.HANDSHAKE_DEADLINE_MS);
        for (long id : hello.getOpenClipsList()) {
            Clip c = clips.get(id);
            welcome.addClips(ClipState.newBuilder()
                    .setClipId(id)
                    .setKnown(c != null)
                    .setPersistedFrames(c == null ? 0 : c.persisted)
                    .setClosed(c != null && c.closeAcked));
        }
        send(session, UplinkMessage.newBuilder().setWelcome(welcome).build());
        return true;
    }

    private synchronized boolean handle(Session session, byte[] body) throws IOException {
        if (session != current) {
            return false;
        }
        DeviceMessage m = DeviceMessage.parseFrom(body);
        lastDeviceMessageNanos = System.nanoTime();
        if (!m.hasClipOpen() && !m.hasPing()) {
            // a ClipOpen is recorded once its case is known; a Ping only when a case waits for it
            transcripts.received(session.label, body, m);
        }
        switch (m.getBodyCase()) {
            case CLIP_OPEN -> {
                return clipOpen(session, body, m);
            }
            case FRAME -> frame(session, m.getFrame());
            case CLIP_CLOSE -> clipClose(session, m.getClipClose());
            case PING -> ping(session, m.getPing().getToken());
            case HELLO -> {
                violation("a second Hello in one session");
                send(session, error(ErrorCode.DUPLICATE_HELLO, true, false, 0, "a second Hello"));
                return false;
            }
            default -> log.debug("device bench: ignored {}", m.getBodyCase());
        }
        return !session.closed;
    }

    // ---- clips

    private boolean clipOpen(Session session, byte[] body, DeviceMessage m) throws IOException {
        ClipOpen open = m.getClipOpen();
        long id = open.getClipId();
        if (!clips.containsKey(id)) {
            transcripts.clipOpened(id, clips.size() < CLIP_SCRIPT.size() ? CLIP_SCRIPT.get(clips.size()) : null);
        }
        transcripts.received(session.label, body, m);
        byte[] header = open.getHeader().toByteArray();
        Clip c = clips.get(id);
        if (c != null) {
            if (!Arrays.equals(c.header, header)) {
                headerFault("clip " + ClipWatch.hex(id) + " opened again with other header bytes");
                send(
                        session,
                        error(
                                ErrorCode.CLIP_CONFLICT,
                                false,
                                false,
                                id,
                                "other header bytes for clip " + ClipWatch.hex(id)));
                return true;
            }
            session.open.add(id);
            checkOpenClips(session);
            return true;
        }
        int index = clips.size();
        BenchCase script = index < CLIP_SCRIPT.size() ? CLIP_SCRIPT.get(index) : null;
        c = new Clip(id, script, header);
        clips.put(id, c);
        if (script != null) {
            caseStarted.put(script, System.nanoTime());
        }
        for (String fault : watch.newClip(deviceId, id, header)) {
            if (fault.contains("repeats") || fault.contains("chain") || fault.contains("parses")) {
                headerFault(fault);
            } else {
                sealingFault(fault);
            }
        }
        if (script == BenchCase.REVOKED) {
            revokedAtNanos = System.nanoTime();
            send(
                    session,
                    error(
                            ErrorCode.CERTIFICATE_REVOKED,
                            true,
                            false,
                            0,
                            "the certificate of " + deviceId + " is revoked (device bench, case revoked)"));
            session.closing = true;
            transcripts.note("the bench ends the session after the fatal Error; it watches for reconnects for "
                    + config.revokedWatch().toMillis() + " ms");
            endLocked(session);
            timers.schedule(this::revokedWatchEnded, config.revokedWatch().toMillis(), TimeUnit.MILLISECONDS);
            return false;
        }
        session.open.add(id);
        checkOpenClips(session);
        return true;
    }

    private void checkOpenClips(Session session) {
        if (session.open.size() > BenchConfig.MAX_OPEN_CLIPS) {
            violation(session.open.size() + " clips open at once in one session; Welcome said max_open_clips "
                    + BenchConfig.MAX_OPEN_CLIPS);
        }
    }

    private void frame(Session session, Frame f) throws IOException {
        long id = f.getClipId();
        int seq = f.getSeq();
        Clip c = clips.get(id);
        if (c == null) {
            violation("frame " + seq + " of clip " + ClipWatch.hex(id) + " before its ClipOpen");
            send(session, frameError(ErrorCode.UNKNOWN_CLIP, id, seq, "no ClipOpen for this clip"));
            return;
        }
        byte[] sealed = f.getSealed().toByteArray();
        byte[] meta = f.getMeta().toByteArray();
        String where = "frame " + seq + " of clip " + ClipWatch.hex(id);
        session.open.add(id);
        if (sealed.length > BenchConfig.MAX_FRAME_BYTES) {
            violation(where + " has " + sealed.length + " sealed bytes; max_frame_bytes is "
                    + BenchConfig.MAX_FRAME_BYTES);
            send(session, frameError(ErrorCode.FRAME_TOO_LARGE, id, seq, "above max_frame_bytes"));
            return;
        }
        if (seq < c.frames.size()) {
            StoredFrameBytes stored = c.frames.get(seq);
            if (!Arrays.equals(stored.sealed(), sealed)
                    || !Arrays.equals(stored.meta(), meta)
                    || stored.last() != f.getLast()) {
                caseFault(
                        c,
                        where + " sent again with other bytes (the device sealed it again: one nonce, two"
                                + " plaintexts)");
                send(session, frameError(ErrorCode.FRAME_CONFLICT, id, seq, "other bytes for a stored frame"));
                return;
            }
            if (c.dropped && seq < c.persistedAtResume) {
                c.redundant++;
            }
            ack(session, c);
            return;
        }
        if (session.refused.containsKey(id) && seq > session.refused.get(id)) {
            return; // sent before the device read the refusal of an earlier frame: not a fault, not stored
        }
        if (seq > c.frames.size()) {
            violation(where + " arrived while frame " + c.frames.size() + " was expected (frames out of order)");
            send(session, frameError(ErrorCode.SEQUENCE_GAP, id, seq, "expected frame " + c.frames.size()));
            return;
        }
        if (c.lastSeen) {
            violation(where + " after the clip's final frame");
            send(session, frameError(ErrorCode.CLIP_CLOSED, id, seq, "after the final frame"));
            return;
        }
        if (awaitingRetry && c.script == BenchCase.STORAGE_UNAVAILABLE) {
            retried(System.nanoTime());
            session.refused.remove(id);
        }
        if (inFlightFrames() + 1 > BenchConfig.WINDOW_FRAMES
                || inFlightBytes() + sealed.length > BenchConfig.WINDOW_BYTES) {
            String fault = where + " sent with " + inFlightFrames() + " frames and " + inFlightBytes()
                    + " bytes unacknowledged; the window is " + BenchConfig.WINDOW_FRAMES + " frames, "
                    + BenchConfig.WINDOW_BYTES + " bytes";
            windowFault(c, fault);
            send(session, frameError(ErrorCode.WINDOW_EXCEEDED, id, seq, "beyond the window"));
            return;
        }
        if (c.script == BenchCase.STORAGE_UNAVAILABLE && seq == 1 && c.refusals < BenchConfig.STORAGE_REFUSALS) {
            c.refusals++;
            session.refused.put(id, seq);
            storageRefusedAtNanos = System.nanoTime();
            awaitingRetry = true;
            send(
                    session,
                    UplinkMessage.newBuilder()
                            .setError(Error.newBuilder()
                                    .setCode(ErrorCode.STORAGE_UNAVAILABLE)
                                    .setMessage("device bench: the store refused " + where + " (refusal " + c.refusals
                                            + " of " + BenchConfig.STORAGE_REFUSALS + ")")
                                    .setRetriable(true)
                                    .setClipId(id)
                                    .setSeq(seq)
                                    .setHasSeq(true))
                            .build());
            return;
        }
        byte[] expected = c.expected.remove(seq);
        if (expected != null && !Arrays.equals(expected, sealed)) {
            caseFault(
                    c,
                    where + " resent after the reconnect with other sealed bytes than before it (the device"
                            + " sealed the frame again instead of keeping it)");
        }
        StoredFrameBytes stored = new StoredFrameBytes(seq, f.getLast(), meta, sealed);
        c.frames.add(stored);
        c.lastSeen = f.getLast();
        watch.newFrame(deviceId, id, c.header, stored).ifPresent(this::sealingFault);
        send(session, ack(id, AckKind.ACK_KIND_RECEIVED, c.frames.size(), false));
        script(session, c, seq);
    }

    /** What the clip's case does after a frame is stored and acknowledged RECEIVED. */
    private void script(Session session, Clip c, int seq) throws IOException {
        if (c.script == null || c.dropped && c.script != BenchCase.SMALL_WINDOW) {
            persistAll(session, c);
            return;
        }
        switch (c.script) {
            case SMALL_WINDOW -> {
                if (inFlightFrames() >= BenchConfig.WINDOW_FRAMES) {
                    // Held a while with the window full: a frame sent now is one the device sent beyond the window
                    // it knew, whatever the timing of acks on the wire.
                    if (!c.holding) {
                        c.windowFilled = true;
                        c.holding = true;
                        timers.schedule(() -> releaseHeld(c), WINDOW_HOLD_MS, TimeUnit.MILLISECONDS);
                    }
                } else if (c.lastSeen) {
                    persistAll(session, c);
                } else {
                    int frames = c.frames.size();
                    timers.schedule(
                            () -> releaseIfStuck(c, frames), config.quietWait().toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            case PERSISTED_WITHHELD -> {
                if ((inFlightFrames() >= BenchConfig.WINDOW_FRAMES || c.lastSeen) && !c.quietWatch) {
                    c.quietWatch = true;
                    caseStarted.put(BenchCase.PING, System.nanoTime());
                    long wait = BenchConfig.HEARTBEAT_MS + 1000L;
                    timers.schedule(() -> noPing(c), wait, TimeUnit.MILLISECONDS);
                }
            }
            case LINK_DROP -> {
                if (seq == 3) {
                    c.persisted = 2;
                    send(session, ack(c.id, AckKind.ACK_KIND_PERSISTED, 2, false));
                    drop(session, c);
                } else if (seq < 2) {
                    persistAll(session, c);
                }
            }
            case SHUTDOWN_RESTART -> {
                persistAll(session, c);
                if (seq == 2) {
                    send(
                            session,
                            error(
                                    ErrorCode.SHUTTING_DOWN,
                                    true,
                                    true,
                                    0,
                                    "device bench: the uplink is stopping" + " (case shutdown-restart)"));
                    drop(session, c);
                    restart();
                }
            }
            default -> persistAll(session, c);
        }
    }

    private synchronized void releaseIfStuck(Clip c, int framesThen) {
        if (current == null || c.dropped || c.frames.size() != framesThen || c.persisted == c.frames.size()) {
            return;
        }
        try {
            persistAll(current, c);
        } catch (IOException e) {
            log.debug("device bench: release failed: {}", e.toString());
        }
    }

    private synchronized void releaseHeld(Clip c) {
        c.holding = false;
        releaseIfStuck(c, c.frames.size());
    }

    private synchronized void noPing(Clip c) {
        if (c.dropped || outcomes.containsKey(BenchCase.PING)) {
            return;
        }
        decide(
                BenchCase.PING,
                Verdict.FAIL,
                "no Ping within " + (BenchConfig.HEARTBEAT_MS + 1000)
                        + " ms while the device waited for PERSISTED (heartbeat_ms " + BenchConfig.HEARTBEAT_MS + ")");
        if (current != null) {
            drop(current, c);
        }
    }

    private void ping(Session session, long token) throws IOException {
        sendUnrecorded(
                session,
                UplinkMessage.newBuilder()
                        .setPong(Pong.newBuilder().setToken(token))
                        .build());
        for (Clip c : clips.values()) {
            if (c.script == BenchCase.PERSISTED_WITHHELD && c.quietWatch && !c.dropped) {
                transcripts.noteFor(
                        c.id,
                        "> " + session.label + ": Ping, answered with a Pong of its token (the case waits for it)");
                if (!outcomes.containsKey(BenchCase.PING)) {
                    decide(BenchCase.PING, Verdict.PASS, "Ping while waiting for PERSISTED; Pong echoed token");
                }
                drop(session, c);
                return;
            }
        }
    }

    private void clipClose(Session session, ClipClose close) throws IOException {
        Clip c = clips.get(close.getClipId());
        if (c == null) {
            violation("ClipClose of clip " + ClipWatch.hex(close.getClipId()) + " before its ClipOpen");
            send(session, error(ErrorCode.UNKNOWN_CLIP, false, false, close.getClipId(), "no ClipOpen"));
            return;
        }
        if (!c.lastSeen || close.getFrameCount() != c.frames.size()) {
            violation("ClipClose of clip " + ClipWatch.hex(c.id) + " says " + close.getFrameCount() + " frames; "
                    + c.frames.size() + " received" + (c.lastSeen ? "" : ", none of them final"));
            send(session, error(ErrorCode.BAD_CLOSE, false, false, c.id, "frame_count disagrees"));
            return;
        }
        c.closeReceived = true;
        session.open.remove(c.id);
        ack(session, c);
        if (c.script == BenchCase.PERSISTED_WITHHELD && !c.dropped && !c.quietWatch) {
            c.quietWatch = true;
            caseStarted.put(BenchCase.PING, System.nanoTime());
            timers.schedule(() -> noPing(c), BenchConfig.HEARTBEAT_MS + 1000L, TimeUnit.MILLISECONDS);
        }
    }

    /** Acknowledges what is stored of the clip as its case allows right now. */
    private void ack(Session session, Clip c) throws IOException {
        send(session, ack(c.id, AckKind.ACK_KIND_RECEIVED, c.frames.size(), c.closeReceived));
        boolean withholding = !c.dropped
                && (c.script == BenchCase.PERSISTED_WITHHELD
                        || c.script == BenchCase.SMALL_WINDOW && c.persisted < c.frames.size());
        if (!withholding || c.lastSeen && c.script == BenchCase.SMALL_WINDOW) {
            persistAll(session, c);
        }
    }

    private void persistAll(Session session, Clip c) throws IOException {
        c.persisted = c.frames.size();
        boolean closeNow = c.closeReceived && c.lastSeen;
        send(session, ack(c.id, AckKind.ACK_KIND_PERSISTED, c.persisted, closeNow));
        if (closeNow && !c.closeAcked) {
            c.closeAcked = true;
            finished(c);
        }
    }

    /** The clip is complete and acknowledged: its case is judged. */
    private void finished(Clip c) {
        if (c.script == null || outcomes.containsKey(c.script)) {
            return;
        }
        String frames = c.frames.size() + " frames";
        if (!c.faults.isEmpty()) {
            decide(c.script, Verdict.FAIL, String.join("; ", c.faults));
            return;
        }
        if (!c.expected.isEmpty()) {
            decide(
                    c.script,
                    Verdict.FAIL,
                    "frames " + c.expected.keySet() + " received before the drop were never sent" + " again");
            return;
        }
        switch (c.script) {
            case NORMAL_CLIP -> decide(c.script, Verdict.PASS, frames + " and the close, in order");
            case SMALL_WINDOW ->
                decide(
                        c.script,
                        c.windowFilled ? Verdict.PASS : Verdict.FAIL,
                        c.windowFilled
                                ? frames + "; the window filled and was never exceeded"
                                : "the clip ended before the window of " + BenchConfig.WINDOW_FRAMES
                                        + " frames was ever full (a clip of more frames is needed)");
            case PERSISTED_WITHHELD ->
                decide(
                        c.script,
                        c.dropped ? Verdict.PASS : Verdict.FAIL,
                        c.dropped
                                ? frames + "; kept within the window and sent again from frame 0 with the same bytes"
                                : "the clip finished without the drop");
            case LINK_DROP ->
                decide(
                        c.script,
                        c.dropped && c.redundant == 0 ? Verdict.PASS : Verdict.FAIL,
                        !c.dropped
                                ? "the clip ended before frame 3"
                                : c.redundant == 0
                                        ? frames + "; resumed at frame 2 with the same bytes"
                                        : c.redundant
                                                + " frames below persisted_frames 2 sent again after the reconnect"
                                                + " (the device ignored Welcome's clip state)");
            case STORAGE_UNAVAILABLE -> judgeRetries(c);
            case SHUTDOWN_RESTART ->
                decide(
                        c.script,
                        c.dropped ? Verdict.PASS : Verdict.FAIL,
                        c.dropped ? frames + "; finished after the restart" : "the clip ended before frame 2");
            default -> {}
        }
    }

    private void judgeRetries(Clip c) {
        if (c.refusals < BenchConfig.STORAGE_REFUSALS || retryDelaysNanos.size() < BenchConfig.STORAGE_REFUSALS) {
            decide(
                    BenchCase.STORAGE_UNAVAILABLE,
                    Verdict.FAIL,
                    "frame 1 was refused " + c.refusals + " times, " + retryDelaysNanos.size()
                            + " retries seen (the clip needs at least 2 frames)");
            return;
        }
        List<Long> ms =
                retryDelaysNanos.stream().map(TimeUnit.NANOSECONDS::toMillis).toList();
        long max = retryDelaysNanos.stream().mapToLong(Long::longValue).max().orElse(0);
        long min = retryDelaysNanos.stream().mapToLong(Long::longValue).min().orElse(0);
        String delays = "retry delays " + ms + " ms";
        if (max > config.retryMax().toNanos()) {
            decide(
                    BenchCase.STORAGE_UNAVAILABLE,
                    Verdict.FAIL,
                    delays + ": above the stated maximum of "
                            + config.retryMax().toMillis() + " ms");
        } else if (max < QUICK_RETRY_NANOS) {
            decide(
                    BenchCase.STORAGE_UNAVAILABLE,
                    Verdict.FAIL,
                    delays + ": every retry within 5 ms (no backoff: the" + " device hammers a failing uplink)");
        } else if (max - min < TimeUnit.MILLISECONDS.toNanos(1)) {
            decide(
                    BenchCase.STORAGE_UNAVAILABLE,
                    Verdict.FAIL,
                    delays + ": the same delay every time (no jitter: a" + " fleet would retry in lockstep)");
        } else {
            decide(
                    BenchCase.STORAGE_UNAVAILABLE,
                    Verdict.PASS,
                    delays + ", within " + config.retryMax().toMillis() + " ms, jittered");
        }
    }

    private void retried(long atNanos) {
        awaitingRetry = false;
        retryDelaysNanos.add(atNanos - storageRefusedAtNanos);
    }

    // ---- breaking the link

    /** Closes the connection abruptly; the clip remembers that its case has broken the link. */
    private void drop(Session session, Clip c) {
        transcripts.noteFor(
                c.id, "the bench closes the connection of " + session.label + " (case " + c.script.id() + ")");
        c.dropped = true;
        c.persistedAtResume = c.persisted;
        endLocked(session);
        session.closeQuietly();
    }

    private void restart() {
        transcripts.note(
                "the bench stops listening for " + config.restartPause().toMillis() + " ms");
        try {
            server.close();
        } catch (IOException e) {
            log.debug("device bench: close of the listener: {}", e.toString());
        }
        log.info(
                "device bench: stopped listening for {} ms (case shutdown-restart)",
                config.restartPause().toMillis());
        timers.schedule(this::relisten, config.restartPause().toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void relisten() {
        if (closed) {
            return;
        }
        try {
            listen(boundPort);
            transcripts.note("the bench listens again on the same port");
        } catch (IOException e) {
            decide(
                    BenchCase.SHUTDOWN_RESTART,
                    Verdict.FAIL,
                    "the bench could not listen again on port " + boundPort + ": " + e.getMessage());
        }
    }

    private synchronized void revokedWatchEnded() {
        judgeRevoked();
        finish();
    }

    private void judgeRevoked() {
        long watchMs = config.revokedWatch().toMillis();
        if (connectsAfterRevoked.isEmpty()) {
            decide(
                    BenchCase.REVOKED,
                    Verdict.PASS,
                    "no connection in the " + watchMs + " ms after CERTIFICATE_REVOKED");
        } else {
            decide(
                    BenchCase.REVOKED,
                    Verdict.FAIL,
                    connectsAfterRevoked.size() + " connections in the " + watchMs
                            + " ms after CERTIFICATE_REVOKED (the first after "
                            + TimeUnit.NANOSECONDS.toMillis(connectsAfterRevoked.get(0))
                            + " ms): the device must stop");
        }
    }

    private void ended(Session session) {
        synchronized (this) {
            endLocked(session);
        }
    }

    /**
     * A session is over: what it sent beyond PERSISTED is forgotten, as a real uplink's store would not have it, but
     * kept aside so that the frames sent again can be compared with it.
     */
    private void endLocked(Session session) {
        if (session.ended) {
            return;
        }
        session.ended = true;
        if (current == session) {
            current = null;
        }
        for (Clip c : clips.values()) {
            while (c.frames.size() > c.persisted) {
                StoredFrameBytes f = c.frames.remove(c.frames.size() - 1);
                c.expected.put(f.seq(), f.sealed());
            }
            c.lastSeen =
                    !c.frames.isEmpty() && c.frames.get(c.frames.size() - 1).last();
            if (!c.closeAcked) {
                c.closeReceived = false;
            }
        }
    }

    private int inFlightFrames() {
        int n = 0;
        for (Clip c : clips.values()) {
            n += c.frames.size() - c.persisted;
        }
        return n;
    }

    private long inFlightBytes() {
        long n = 0;
        for (Clip c : clips.values()) {
            for (int i = c.persisted; i < c.frames.size(); i++) {
                n += c.frames.get(i).sealed().length;
            }
        }
        return n;
    }

    // ---- verdicts

    private void decide(BenchCase c, Verdict verdict, String detail) {
        if (outcomes.containsKey(c)) {
            return;
        }
        BenchOutcome o = outcome(c, verdict, detail);
        outcomes.put(c, o);
        log.info("device bench: {} {}: {}", c.id(), verdict, detail);
    }

    private BenchOutcome outcome(BenchCase c, Verdict verdict, String detail) {
        Long started = caseStarted.get(c);
        Duration elapsed = started == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - started);
        return new BenchOutcome(c, verdict, detail, elapsed);
    }

    private void judge(BenchCase c, boolean ran, List<String> faults, String passDetail) {
        if (!ran && faults.isEmpty()) {
            return;
        }
        if (faults.isEmpty()) {
            decide(c, Verdict.PASS, passDetail);
        } else {
            decide(
                    c,
                    Verdict.FAIL,
                    faults.get(0) + (faults.size() > 1 ? " (and " + (faults.size() - 1) + " more)" : ""));
        }
    }

    private void violation(String what) {
        limitViolations.add(what);
        faultSink.accept("LIMIT " + what);
    }

    private void headerFault(String what) {
        headerFaults.add(what);
        faultSink.accept("HEADER " + what);
    }

    private void sealingFault(String what) {
        sealingFaults.add(what);
        faultSink.accept("SEALING " + what);
    }

    private void caseFault(Clip c, String what) {
        c.faults.add(what);
        faultSink.accept("RESUME " + what);
        if (watch.opensFrames() && what.contains("other bytes")) {
            sealingFault(what);
        }
    }

    private void windowFault(Clip c, String what) {
        violation(what);
        if (!outcomes.containsKey(BenchCase.SMALL_WINDOW)) {
            decide(BenchCase.SMALL_WINDOW, Verdict.FAIL, what);
        }
        if (c.script == BenchCase.PERSISTED_WITHHELD) {
            c.faults.add(what);
        }
    }

    // ---- messages

    private static UplinkMessage ack(long clipId, AckKind kind, int frames, boolean closed) {
        return UplinkMessage.newBuilder()
                .setAck(Ack.newBuilder()
                        .setClipId(clipId)
                        .setKind(kind)
                        .setFrames(frames)
                        .setClosed(closed))
                .build();
    }

    private static UplinkMessage error(ErrorCode code, boolean fatal, boolean retriable, long clipId, String message) {
        return UplinkMessage.newBuilder()
                .setError(Error.newBuilder()
                        .setCode(code)
                        .setMessage(message)
                        .setFatal(fatal)
                        .setRetriable(retriable)
                        .setClipId(clipId))
                .build();
    }

    private static UplinkMessage frameError(ErrorCode code, long clipId, int seq, String message) {
        boolean retriable = code == ErrorCode.WINDOW_EXCEEDED;
        return UplinkMessage.newBuilder()
                .setError(Error.newBuilder()
                        .setCode(code)
                        .setMessage("device bench: frame " + seq + " of clip " + ClipWatch.hex(clipId) + ": " + message)
                        .setRetriable(retriable)
                        .setClipId(clipId)
                        .setSeq(seq)
                        .setHasSeq(true))
                .build();
    }

    private void send(Session session, UplinkMessage message) throws IOException {
        if (!session.closed) {
            transcripts.sent(session.label, message);
        }
        sendUnrecorded(session, message);
    }

    private static void sendUnrecorded(Session session, UplinkMessage message) throws IOException {
        if (session.closed) {
            return;
        }
        message.writeDelimitedTo(session.out);
        session.out.flush();
    }

    /** The body of one length-prefixed DeviceMessage; a prefix above max_message_bytes ends the session. */
    private static byte[] readBody(InputStream in) throws IOException {
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            if (shift == 28 && (b & 0xF0) != 0 || shift > 28) {
                throw new IOException("a length prefix longer than a varint32");
            }
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        if (length < 0 || length > BenchConfig.MAX_MESSAGE_BYTES) {
            throw new IOException(
                    "a message of " + Integer.toUnsignedString(length) + " bytes, above max_message_bytes");
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new EOFException();
        }
        return body;
    }

    private synchronized void closeQuietly() {
        closed = true;
        if (current != null) {
            current.closeQuietly();
        }
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            log.debug("device bench: close: {}", e.toString());
        }
    }

    private static final class Session {
        final SSLSocket socket;
        final Set<Long> open = new HashSet<>();
        /** Per clip, the frame refused with STORAGE_UNAVAILABLE in this session. */
        final Map<Long, Integer> refused = new HashMap<>();

        OutputStream out;
        /** The session's name in the transcripts, once its Hello is read. */
        String label;

        boolean closed;
        boolean ended;
        /** A fatal Error was sent: the reader drains the connection, then closes it. */
        boolean closing;

        Session(SSLSocket socket) {
            this.socket = socket;
        }

        void closeQuietly() {
            closed = true;
            try {
                socket.close();
            } catch (IOException e) {
                log.debug("device bench: close of a session: {}", e.toString());
            }
        }
    }

    private static final class Clip {
        final long id;
        final BenchCase script;
        final byte[] header;
        final List<StoredFrameBytes> frames = new ArrayList<>();
        /** Frames received before the link broke and not persisted: their seq to the sealed bytes first sent. */
        final Map<Integer, byte[]> expected = new HashMap<>();

        final List<String> faults = new ArrayList<>();
        int persisted;
        int persistedAtResume;
        int redundant;
        int refusals;
        boolean lastSeen;
        boolean closeReceived;
        boolean closeAcked;
        boolean dropped;
        boolean windowFilled;
        boolean holding;
        boolean quietWatch;

        Clip(long id, BenchCase script, byte[] header) {
            this.id = id;
            this.script = script;
            this.header = header;
        }
    }
}
