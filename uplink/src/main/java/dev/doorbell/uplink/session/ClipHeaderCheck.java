package dev.doorbell.uplink.session;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.ClipHeader;

/**
 * The one look the uplink takes inside a clip's bytes: the public header must name the device of the certificate
 * and the clip id it is opened under, so that a device cannot file a clip under another device or clip. The header
 * is stored as received, never re-encoded; nothing sealed is read.
 */
final class ClipHeaderCheck {
    private ClipHeaderCheck() {}

    /** What is wrong with the header, or null when it names this device and clip. */
    static String problem(String deviceId, long clipId, ByteString header) {
        ClipHeader parsed;
        try {
            parsed = ClipHeader.parseFrom(header);
        } catch (InvalidProtocolBufferException e) {
            return "the " + header.size() + " header bytes are not a ClipHeader";
        }
        if (!deviceId.equals(parsed.getDeviceId())) {
            // A hostile header may hold any text; only a valid id is safe to echo into logs and messages.
            return DeviceIds.isValid(parsed.getDeviceId())
                    ? "the header names device " + parsed.getDeviceId() + ", not " + deviceId
                    : "the header names no valid device id";
        }
        if (parsed.getClipId() != clipId) {
            return "the header names clip " + Long.toUnsignedString(parsed.getClipId()) + ", not "
                    + Long.toUnsignedString(clipId);
        }
        return null;
    }
}
