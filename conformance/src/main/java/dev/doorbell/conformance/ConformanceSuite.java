package dev.doorbell.conformance;

import dev.doorbell.device.link.UplinkFailure;
import dev.doorbell.device.link.UplinkFailureException;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.pki.ConformanceDevices;
import dev.doorbell.proto.v1.UplinkMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the protocol cases of docs/PROTOCOL.md, one after the other, against one uplink, and gives a verdict for each.
 * A case that throws anything but {@link CaseFailure} (an I/O error, a refused TLS handshake) fails too, with that
 * exception as its detail, so one broken case never stops the others.
 */
public final class ConformanceSuite {
    private static final Logger log = LoggerFactory.getLogger(ConformanceSuite.class);
    /** How long the preflight session waits after the handshake for an uplink's refusal of the certificate. */
    private static final Duration ALERT_WAIT = Duration.ofMillis(500);

    private final ConformanceTarget target;
    private final ConformanceDevice device;
    private final ConformanceDevice other;
    private long nextClipId;

    public ConformanceSuite(ConformanceTarget target) {
        this.target = target;
        this.device = ConformanceDevice.load(target.device());
        this.other = ConformanceDevice.load(target.otherDevice());
        this.nextClipId = target.firstClipId();
    }

    /**
     * Checks that the suite's first device can get a session at all before any case runs: TCP, TLS with the device's
     * certificate, and Hello (in TLS 1.3 the uplink's refusal of a certificate comes after the device's side of the
     * handshake, so only a read proves it was accepted). Nothing listening, or TLS trust refused either way, would
     * fail every case for one reason (and pass the one that expects a refusal): that is one line and exit 2 instead.
     * What the uplink answers to Hello is left to the cases.
     */
    public void checkUplink() throws UplinkFailureException {
        IOException failed;
        try (RawSession session = RawSession.connect(
                device.tls(),
                target.host(),
                target.port(),
                target.replyTimeout(),
                Transcript.discarding(),
                "preflight")) {
            // Nothing is sent before the uplink has had a moment to refuse the certificate: a write that crosses its
            // alert
            // meets a reset instead, which says nothing about why.
            UplinkMessage early =
                    session.next(ALERT_WAIT.compareTo(target.replyTimeout()) < 0 ? ALERT_WAIT : target.replyTimeout());
            if (early == null && !session.closedByPeer()) {
                session.send(CaseRun.hello(device.id(), List.of(1), List.of()));
                session.next(target.replyTimeout());
            }
            failed = session.closeCause();
        } catch (IOException e) {
            failed = e;
        }
        if (failed != null) {
            UplinkFailure failure = UplinkFailure.of(failed, target.host(), target.port(), device.id());
            log.debug("why device {} has no session", device.id(), failed);
            if (failure.kind().definitive() || failure.kind() == UplinkFailure.Kind.UNREACHABLE) {
                throw new UplinkFailureException(failure);
            }
            log.info("preflight session of device {}: {} (the cases will judge it)", device.id(), failure.message());
        }
    }

    /** Every case, in the order they run. */
    public static List<ConformanceCase> cases() {
        return Stream.of(
                        SessionCases.all(),
                        IdentityCases.all(),
                        ClipCases.all(),
                        ResumeCases.all(),
                        RecipientListCases.all())
                .flatMap(List::stream)
                .toList();
    }

    /** The cases with these ids (all when {@code ids} is empty); an unknown id is an IllegalArgumentException. */
    public static List<ConformanceCase> select(List<String> ids) {
        if (ids.isEmpty()) {
            return cases();
        }
        List<ConformanceCase> chosen = new ArrayList<>();
        for (String id : ids) {
            chosen.add(cases().stream()
                    .filter(c -> c.id().equals(id))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no conformance case '" + id + "'; the cases are "
                            + cases().stream().map(ConformanceCase::id).toList())));
        }
        return chosen;
    }

    /** Runs {@code chosen}; reports each result to {@code progress} as it is known. */
    public List<CaseResult> run(List<ConformanceCase> chosen, Consumer<CaseResult> progress) {
        List<CaseResult> results = new ArrayList<>();
        for (ConformanceCase c : chosen) {
            CaseResult result = runOne(c);
            results.add(result);
            progress.accept(result);
        }
        return results;
    }

    /** Writes each result's transcript to {@code dir}/{@code <case id>.txt}. */
    public static void writeTranscripts(List<CaseResult> results, Path dir) {
        try {
            Files.createDirectories(dir);
            for (CaseResult r : results) {
                Files.writeString(
                        dir.resolve(r.conformanceCase().id() + ".txt"), r.transcript(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write transcripts to " + dir, e);
        }
    }

    private CaseResult runOne(ConformanceCase c) {
        Transcript transcript = Transcript.recording(c.id(), c.description());
        long started = System.nanoTime();
        String detail;
        boolean passed;
        try (CaseRun run = new CaseRun(target, device, other, () -> nextClipId++, transcript)) {
            c.steps().run(run);
            passed = true;
            detail = "";
        } catch (CaseFailure e) {
            passed = false;
            detail = e.getMessage();
        } catch (Exception e) {
            passed = false;
            detail = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        log.info("conformance case {}: {} in {} ms", c.id(), passed ? "PASS" : "FAIL", elapsed.toMillis());
        transcript.note("verdict: " + (passed ? "PASS" : "FAIL " + detail));
        return new CaseResult(c, passed, detail, elapsed, transcript.render());
    }

    /**
     * Loads the two devices the suite runs as: {@code conformance-1} and {@code conformance-2} from {@code dir} (a
     * fleet's {@code conformance/}, made by {@code provision --conformance}). Any other device is refused: the suite's
     * clips must never be stored under a doorbell's id.
     */
    public static List<DeviceDirectory> conformanceDevices(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UncheckedIOException(
                    "cannot read the conformance devices",
                    Files.exists(dir)
                            ? new NotDirectoryException(dir.toString())
                            : new NoSuchFileException(dir.toString()));
        }
        List<DeviceDirectory> devices = new ArrayList<>();
        for (String id : ConformanceDevices.IDS) {
            Path deviceDir = dir.resolve(id);
            if (!Files.isDirectory(deviceDir)) {
                throw new IllegalArgumentException(dir + " has no " + id + ": the suite runs only as the two devices "
                        + "reserved for it (its clips are test clips, stored under their ids, never under a doorbell's); make "
                        + "them with `doorbell provision --out FLEET --add --conformance` and give --devices-dir "
                        + "FLEET/conformance");
            }
            DeviceDirectory device = DeviceDirectory.load(deviceDir);
            if (!device.deviceId().equals(id)) {
                throw new IllegalArgumentException(deviceDir + " holds device " + device.deviceId() + ", not " + id);
            }
            devices.add(device);
        }
        return devices;
    }
}
