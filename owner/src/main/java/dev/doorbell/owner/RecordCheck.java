package dev.doorbell.owner;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.StoredRecord;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * Whether a valid record starts at an offset of a segment (docs/FORMAT.md §6, "A valid record"): the one test the
 * reader applies when it reads records in order and when it resynchronises after a bad one, so that both agree.
 */
final class RecordCheck {
    static final int HEADER_BYTES = 8;
    static final int MAX_BODY_BYTES = 64 << 20;

    /** A record at an offset: the parsed body and the framed length, or the reason it is not a valid record. */
    record Result(StoredRecord record, int framedLength, String problem) {
        boolean valid() {
            return problem == null;
        }
    }

    private RecordCheck() {}

    /**
     * Checks the record at {@code offset} of segment {@code segment}, whose bytes are {@code data}; a record must end
     * at or before {@code end} (the end of the file, or of the committed length), described by {@code endName}.
     */
    static Result check(ByteBuffer data, int offset, int end, long segment, String endName) {
        if (end - offset < HEADER_BYTES) {
            return bad("record header cut short: " + (end - offset) + " of 8 bytes before " + endName);
        }
        long length = Integer.toUnsignedLong(data.getInt(offset));
        if (length < 1 || length > MAX_BODY_BYTES) {
            return bad("bad record length " + length);
        }
        if (length > end - offset - HEADER_BYTES) {
            return bad("record of " + length + " bytes runs past " + endName);
        }
        int bodyLength = (int) length;
        CRC32C crc = new CRC32C();
        crc.update(data.slice(offset + HEADER_BYTES, bodyLength));
        if ((int) crc.getValue() != data.getInt(offset + 4)) {
            return bad("CRC32C mismatch in a record of " + length + " bytes");
        }
        byte[] body = new byte[bodyLength];
        data.get(offset + HEADER_BYTES, body);
        String problem = bodyProblem(body, offset, segment);
        if (problem != null) {
            return bad(problem);
        }
        try {
            return new Result(StoredRecord.parseFrom(body), HEADER_BYTES + bodyLength, null);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a body checked as parsable did not parse", e);
        }
    }

    /**
     * A cheap test that rules out most offsets before the CRC is computed during a resynchronisation: a sane length
     * inside {@code end} and a body that starts with the tag of one of the four body fields.
     */
    static boolean mayStartRecord(ByteBuffer data, int offset, int end) {
        if (end - offset <= HEADER_BYTES) {
            return false;
        }
        long length = Integer.toUnsignedLong(data.getInt(offset));
        if (length < 1 || length > MAX_BODY_BYTES || length > end - offset - HEADER_BYTES) {
            return false;
        }
        int tag = data.get(offset + HEADER_BYTES) & 0xff;
        return tag == 0x0a || tag == 0x12 || tag == 0x1a || tag == 0x22;
    }

    /**
     * Why a body whose CRC matched is still not a record the uplink writes, or null: it must parse as a StoredRecord,
     * have a body case, consist of exactly that one length-delimited field, and name a valid device id (clip records)
     * or this segment at offset 8 (a start record).
     */
    static String bodyProblem(byte[] body, long offset, long segment) {
        StoredRecord record;
        try {
            record = StoredRecord.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            return "a body that does not parse as a StoredRecord";
        }
        if (record.getBodyCase() == StoredRecord.BodyCase.BODY_NOT_SET) {
            return "a StoredRecord with no body case";
        }
        if (!oneField(body)) {
            return "a StoredRecord holding more than its one body field";
        }
        String deviceId = switch (record.getBodyCase()) {
            case CLIP_OPEN -> record.getClipOpen().getDeviceId();
            case FRAME -> record.getFrame().getDeviceId();
            case CLIP_CLOSE -> record.getClipClose().getDeviceId();
            default -> null;
        };
        if (record.hasSegmentStart()) {
            if (offset != StoreDirectoryReader.SEGMENT_MAGIC.length) {
                return "a start record that is not the first record of its segment";
            }
            if (record.getSegmentStart().getSegment() != segment) {
                return "a start record naming segment "
                        + Long.toUnsignedString(record.getSegmentStart().getSegment()) + " in segment " + segment;
            }
        } else if (!DeviceIds.isValid(deviceId)) {
            return "a " + record.getBodyCase().name().toLowerCase(Locale.ROOT) + " record with '" + printable(deviceId)
                    + "', not a valid device id";
        }
        return null;
    }

    /** The body is one field of number 1 to 4, wire type 2, whose length runs exactly to the end of the body. */
    private static boolean oneField(byte[] body) {
        int tag = body[0] & 0xff;
        if (tag != 0x0a && tag != 0x12 && tag != 0x1a && tag != 0x22) {
            return false;
        }
        long inner = 0;
        for (int i = 1, shift = 0; i < body.length && shift < 64; i++, shift += 7) {
            inner |= (long) (body[i] & 0x7f) << shift;
            if ((body[i] & 0x80) == 0) {
                return i + 1 + inner == body.length;
            }
        }
        return false;
    }

    private static Result bad(String problem) {
        return new Result(null, 0, problem);
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
