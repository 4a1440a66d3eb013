package dev.doorbell.conformance.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClipWatchTest {
    private static final String DEVICE = "doorbell-0001";

    @Test
    void newClip_distinctPrefixesAndAGoodChain_noFault() throws Exception {
        ClipWatch watch = new ClipWatch(Optional.empty());
        byte[] first =
                v3Header(11, prefix(1), ChainLink.newBuilder().setPosition(4).build());
        byte[] second = v3Header(12, prefix(2), link(5, 11, first));
        assertEquals(List.of(), watch.newClip(DEVICE, 11, first));
        assertEquals(List.of(), watch.newClip(DEVICE, 12, second));
    }

    @Test
    void newClip_noncePrefixRepeated_namesBothClips() throws Exception {
        ClipWatch watch = new ClipWatch(Optional.empty());
        byte[] first =
                v3Header(11, prefix(1), ChainLink.newBuilder().setPosition(1).build());
        watch.newClip(DEVICE, 11, first);
        List<String> faults = watch.newClip(DEVICE, 12, v3Header(12, prefix(1), link(2, 11, first)));
        assertEquals(1, faults.size(), faults.toString());
        assertTrue(
                faults.get(0).contains("clip 000000000000000c repeats the nonce prefix of clip 000000000000000b"),
                faults.toString());
    }

    @Test
    void newClip_chainPositionRepeatedAndWrongPredecessor_bothNamed() throws Exception {
        ClipWatch watch = new ClipWatch(Optional.empty());
        byte[] first =
                v3Header(11, prefix(1), ChainLink.newBuilder().setPosition(7).build());
        watch.newClip(DEVICE, 11, first);
        List<String> faults = watch.newClip(DEVICE, 12, v3Header(12, prefix(2), link(7, 99, first)));
        assertEquals(2, faults.size(), faults.toString());
        assertTrue(faults.get(0).contains("is at position 7"), faults.toString());
        assertTrue(faults.get(1).contains("names predecessor 0000000000000063"), faults.toString());
    }

    @Test
    void newClip_predecessorHashOfOtherBytes_named() throws Exception {
        ClipWatch watch = new ClipWatch(Optional.empty());
        byte[] first =
                v3Header(11, prefix(1), ChainLink.newBuilder().setPosition(1).build());
        watch.newClip(DEVICE, 11, first);
        byte[] other =
                v3Header(13, prefix(3), ChainLink.newBuilder().setPosition(1).build());
        List<String> faults = watch.newClip(DEVICE, 12, v3Header(12, prefix(2), link(2, 11, other)));
        assertEquals(1, faults.size(), faults.toString());
        assertTrue(faults.get(0).contains("prev_header_sha256 is not the SHA-256"), faults.toString());
    }

    private static ByteString prefix(int b) {
        return ByteString.copyFrom(new byte[] {(byte) b, 2, 3, 4, 5, 6, 7});
    }

    private static ChainLink link(long position, long prevId, byte[] prevHeader) throws Exception {
        return ChainLink.newBuilder()
                .setPosition(position)
                .setPrevClipId(prevId)
                .setPrevHeaderSha256(
                        ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(prevHeader)))
                .build();
    }

    private static byte[] v3Header(long clipId, ByteString noncePrefix, ChainLink chain) {
        ClipHeader header = ClipHeader.newBuilder()
                .setFormatVersion(3)
                .setDeviceId(DEVICE)
                .setClipId(clipId)
                .setNoncePrefix(noncePrefix)
                .setChain(chain)
                .build();
        return SignedClipHeader.newBuilder()
                .setHeader(header.toByteString())
                .setSignature(ByteString.copyFrom(new byte[64]))
                .build()
                .toByteArray();
    }
}
