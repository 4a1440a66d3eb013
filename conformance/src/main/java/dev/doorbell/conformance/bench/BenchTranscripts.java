package dev.doorbell.conformance.bench;

import dev.doorbell.conformance.Transcript;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.UplinkMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the bench and the device said to each other, one transcript per clip case (testdata/transcripts/bench): every
 * message of a clip goes to its case's transcript, and every message of no clip (Hello, Welcome, session-wide
 * Errors) and every event to the case whose clip the device opened last (before any clip, {@link
 * BenchCase#NORMAL_CLIP}'s). Told by the bench under its lock, so the order is the bench's: each message it read,
 * then what it answered.
 *
 * <p>Only what the device's behaviour and the bench's script decide is recorded; what timing decides is left out
 * or normalised, so that a seeded device gives the same transcripts on every run: a Ping and its Pong are shown as
 * one event line without the token (the device pings after heartbeat_ms of its own silence, so how many it sends
 * while it waits depends on the machine's speed), but for the Ping the {@link BenchCase#PING} case waits for; the
 * verdicts come at the end, with every list of measured delays shown as {@code [...]}; TCP connections refused while
 * the bench is not listening, and the TLS handshake, are not seen. Not thread-safe: the bench's lock guards it.
 */
public final class BenchTranscripts {
    private static final Pattern MEASURED_DELAYS = Pattern.compile("\\[[0-9, ]*] ms");

    private final boolean recording;
    private final Map<BenchCase, Transcript> transcripts = new EnumMap<>(BenchCase.class);
    private final Map<Long, BenchCase> clipCases = new LinkedHashMap<>();
    private BenchCase current = BenchCase.NORMAL_CLIP;
    private int sessions;

    private BenchTranscripts(boolean recording) {
        this.recording = recording;
    }

    /** Records every clip case's exchange. */
    public static BenchTranscripts recording() {
        return new BenchTranscripts(true);
    }

    /** Records nothing: the bench as a tool. */
    public static BenchTranscripts off() {
        return new BenchTranscripts(false);
    }

    /** The clip cases, in the order the bench plays them, and their transcript's file name. */
    public static List<BenchCase> clipCases() {
        return DeviceBench.CLIP_SCRIPT;
    }

    /** A new session's TLS is up and its Hello read; returns its label. */
    String session() {
        sessions++;
        String label = label(sessions);
        note("TLS connected: " + label);
        return label;
    }

    /** The session label of the last session started. */
    String label() {
        return label(sessions);
    }

    private static String label(int n) {
        return "session " + n;
    }

    /** A new clip was opened: from now on, its case is the current one. */
    void clipOpened(long clipId, BenchCase script) {
        if (script != null) {
            clipCases.put(clipId, script);
            current = script;
        }
    }

    void received(String session, byte[] body, DeviceMessage message) {
        if (recording) {
            transcript(caseOf(clipOf(message))).deviceSent(session, framed(body), message);
        }
    }

    void sent(String session, UplinkMessage message) {
        if (recording) {
            transcript(caseOf(clipOf(message))).uplinkSent(session, framed(message.toByteArray()), message);
        }
    }

    void note(String text) {
        if (recording) {
            transcript(current).note(text);
        }
    }

    void noteFor(long clipId, String text) {
        if (recording) {
            transcript(caseOf(clipId)).note(text);
        }
    }

    /**
     * Every clip case's transcript by file name ({@code normal-clip.txt}, ...), each ending with its verdict (the
     * {@link BenchCase#PING} case's in {@code persisted-withheld.txt}), and {@code verdicts.txt} with every case's.
     */
    public Map<String, String> render(List<BenchOutcome> outcomes) {
        Map<String, String> out = new LinkedHashMap<>();
        for (BenchCase c : clipCases()) {
            Transcript t = transcript(c);
            for (BenchOutcome o : outcomes) {
                if (o.benchCase() == c || c == BenchCase.PERSISTED_WITHHELD && o.benchCase() == BenchCase.PING) {
                    t.note(verdict(o));
                }
            }
            out.put(c.id() + ".txt", t.render());
        }
        StringBuilder all = new StringBuilder("# doorbell device bench: every case's verdict\n");
        for (BenchOutcome o : outcomes) {
            all.append(verdict(o)).append('\n');
        }
        out.put("verdicts.txt", all.toString());
        return out;
    }

    private static String verdict(BenchOutcome o) {
        return "verdict " + o.benchCase().id() + ": " + o.verdict() + ": "
                + MEASURED_DELAYS.matcher(o.detail()).replaceAll("[...] ms");
    }

    private Transcript transcript(BenchCase c) {
        return transcripts.computeIfAbsent(c, k -> {
            Transcript t = Transcript.recording("bench " + k.id(), k.scenario() + "; expected: " + k.expected());
            if (sessions > 0) {
                t.note("continues " + label(sessions) + ", open since an earlier case");
            }
            return t;
        });
    }

    private BenchCase caseOf(long clipId) {
        return clipId == 0 ? current : clipCases.getOrDefault(clipId, current);
    }

    private static long clipOf(DeviceMessage m) {
        return switch (m.getBodyCase()) {
            case CLIP_OPEN -> m.getClipOpen().getClipId();
            case FRAME -> m.getFrame().getClipId();
            case CLIP_CLOSE -> m.getClipClose().getClipId();
            default -> 0;
        };
    }

    private static long clipOf(UplinkMessage m) {
        return switch (m.getBodyCase()) {
            case ACK -> m.getAck().getClipId();
            case ERROR -> m.getError().getClipId();
            default -> 0;
        };
    }

    private static byte[] framed(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 5);
        try {
            com.google.protobuf.CodedOutputStream coded = com.google.protobuf.CodedOutputStream.newInstance(out);
            coded.writeUInt32NoTag(body.length);
            coded.writeRawBytes(body);
            coded.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
