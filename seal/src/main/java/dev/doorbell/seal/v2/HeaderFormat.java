package dev.doorbell.seal.v2;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;

/**
 * Tells the header bytes of a v1 clip (a ClipHeader) from those of a v2 or v3 clip (a SignedClipHeader around a
 * ClipHeader with format_version 2 or 3), so that a tool can say which key a clip needs before it tries one. Protobuf only, no key.
 */
public final class HeaderFormat {
    /** Neither: bytes that do not parse, or a format_version this code does not know. */
    public static final int UNKNOWN = 0;

    public static final int V1 = 1;
    public static final int V2 = 2;
    public static final int V3 = 3;

    private HeaderFormat() {}

    /**
     * {@link #V1}, {@link #V2}, {@link #V3} or {@link #UNKNOWN}. A SignedClipHeader parsed as a ClipHeader has format_version 0
     * (its fields are unknown fields there, since the wire types differ), and a ClipHeader parsed as a
     * SignedClipHeader has no header, so neither passes for the other.
     */
    public static int version(byte[] headerBytes) {
        if (headerBytes == null) {
            return UNKNOWN;
        }
        try {
            if (ClipHeader.parseFrom(headerBytes).getFormatVersion() == V1) {
                return V1;
            }
        } catch (InvalidProtocolBufferException e) {
            // Not a v1 header; it may still be a v2 or v3 one.
        }
        try {
            SignedClipHeader signed = SignedClipHeader.parseFrom(headerBytes);
            int version = ClipHeader.parseFrom(signed.getHeader()).getFormatVersion();
            if (version == V2 || version == V3) {
                return version;
            }
        } catch (InvalidProtocolBufferException e) {
            return UNKNOWN;
        }
        return UNKNOWN;
    }
}
