package dev.doorbell.conformance;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.TextFormat;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.FrameMeta;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.SignedRecipientList;
import dev.doorbell.proto.v1.UplinkMessage;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What one conformance case sent and received, message by message: the direction, the exact length-delimited
 * bytes as hex, and the protobuf text format. Large byte fields are shown in full in the hex and shortened in the
 * text. A transcript is text so that it can be diffed and committed as a golden file. The device bench records its
 * sessions with it too ({@code bench.BenchTranscripts}).
 */
public final class Transcript {
    private static final int HEX_BYTES_PER_LINE = 32;
    private static final int TEXT_BYTES_SHOWN = 48;

    private final List<String> lines = new ArrayList<>();
    private final boolean recording;

    private Transcript(boolean recording) {
        this.recording = recording;
    }

    public static Transcript recording(String caseId, String description) {
        Transcript t = new Transcript(true);
        t.lines.add("# doorbell protocol v1 transcript: " + caseId);
        t.lines.add("# " + description);
        t.lines.add("# '>' device to uplink, '<' uplink to device; hex is the varint32 length prefix and the body.");
        return t;
    }

    static Transcript discarding() {
        return new Transcript(false);
    }

    public void note(String text) {
        if (recording) {
            lines.add("");
            lines.add("-- " + text);
        }
    }

    public void deviceSent(String session, byte[] framed, DeviceMessage message) {
        add(">", session, framed, text(message) + decodedPayload(message));
    }

    void deviceSentRaw(String session, byte[] bytes, String what) {
        add(">", session, bytes, "(not a well-formed message: " + what + ")");
    }

    public void uplinkSent(String session, byte[] framed, MessageOrBuilder message) {
        add("<", session, framed, text(message) + decodedList(message));
    }

    /** A relayed recipient list is bytes inside the message too: the list the owner signed, decoded. */
    private static String decodedList(MessageOrBuilder message) {
        if (!(message instanceof UplinkMessage m) || !m.hasRecipientListUpdate()) {
            return "";
        }
        try {
            SignedRecipientList signed =
                    SignedRecipientList.parseFrom(m.getRecipientListUpdate().getSignedList());
            return "(recipient_list_update.signed_list decoded as SignedRecipientList; its list as a RecipientList)\n"
                    + text(RecipientList.parseFrom(signed.getList()));
        } catch (InvalidProtocolBufferException e) {
            return "(the signed_list bytes do not parse)\n";
        }
    }

    /** The whole transcript, one line per element, ending in a newline. */
    public String render() {
        return String.join("\n", lines) + "\n";
    }

    private void add(String arrow, String session, byte[] bytes, String text) {
        if (!recording) {
            return;
        }
        lines.add("");
        lines.add(arrow + " " + session + " (" + bytes.length + " bytes)");
        if (bytes.length > 4 * 1024) {
            // An oversized frame would make the file huge: its first bytes and its size say enough.
            lines.add("  hex " + HexFormat.of().formatHex(bytes, 0, HEX_BYTES_PER_LINE) + " ... ("
                    + (bytes.length - HEX_BYTES_PER_LINE) + " more bytes)");
        } else {
            for (int i = 0; i < bytes.length; i += HEX_BYTES_PER_LINE) {
                lines.add(
                        "  hex " + HexFormat.of().formatHex(bytes, i, Math.min(bytes.length, i + HEX_BYTES_PER_LINE)));
            }
        }
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                lines.add("  | " + line);
            }
        }
    }

    /** The public header and frame metadata are bytes inside the message; their decoded form helps a reader. */
    private static String decodedPayload(DeviceMessage message) {
        try {
            if (message.hasClipOpen()) {
                SignedClipHeader signed =
                        SignedClipHeader.parseFrom(message.getClipOpen().getHeader());
                if (!signed.getHeader().isEmpty()) {
                    return "(clip_open.header decoded as SignedClipHeader; its header as a ClipHeader)\n"
                            + text(signed.toBuilder().clearHeader().build())
                            + text(ClipHeader.parseFrom(signed.getHeader()));
                }
                return "(clip_open.header decoded as ClipHeader)\n"
                        + text(ClipHeader.parseFrom(message.getClipOpen().getHeader()));
            }

            if (message.hasFrame() && !message.getFrame().getMeta().isEmpty()) {
                return "(frame.meta decoded as FrameMeta)\n"
                        + text(FrameMeta.parseFrom(message.getFrame().getMeta()));
            }
        } catch (InvalidProtocolBufferException e) {
            return "(the header or meta bytes do not parse)\n";
        }
        return "";
    }

    private static String text(MessageOrBuilder message) {
        String text = TextFormat.printer().escapingNonAscii(true).printToString(message);
        return shortenLongStrings(text);
    }

    /** Byte fields of many bytes (sealed frames, headers) are shortened in the text form; the hex has them whole. */
    private static String shortenLongStrings(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n")) {
            int quote = line.indexOf('"');
            if (quote >= 0 && line.length() - quote > TEXT_BYTES_SHOWN * 4) {
                out.append(line, 0, quote + 1 + TEXT_BYTES_SHOWN).append("...\" (shortened)");
            } else {
                out.append(line);
            }
            out.append('\n');
        }
        return out.toString();
    }
}
