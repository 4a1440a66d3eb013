package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.uplink.testing.Messages;
import org.junit.jupiter.api.Test;

/** The uplink's one look inside a header, for both layouts: it names this device and this clip, or it is refused. */
class ClipHeaderCheckTest {
    @Test
    void problem_v1HeaderOfThisDeviceAndClip_none() {
        assertNull(ClipHeaderCheck.problem("dev-a", 7, Messages.header("dev-a", 7)));
    }

    @Test
    void problem_v2SignedHeaderOfThisDeviceAndClip_none() {
        assertNull(ClipHeaderCheck.problem("dev-a", 7, Messages.signedHeader("dev-a", 7)));
    }

    @Test
    void problem_v2HeaderOfAnotherDevice_namesIt() {
        assertEquals(
                "the header names device dev-b, not dev-a",
                ClipHeaderCheck.problem("dev-a", 7, Messages.signedHeader("dev-b", 7)));
    }

    @Test
    void problem_v2HeaderOfAnotherClip_namesIt() {
        assertEquals(
                "the header names clip 8, not 7",
                ClipHeaderCheck.problem("dev-a", 7, Messages.signedHeader("dev-a", 8)));
    }

    @Test
    void problem_v3SignedHeaderWithChainSealedInfoAndAnUnknownField_none() {
        long randomClipId = 0x6d2f_01c3_9a77_4e15L;

        assertNull(ClipHeaderCheck.problem("dev-a", randomClipId, Messages.signedHeaderV3("dev-a", randomClipId)));
    }

    @Test
    void problem_v3HeaderOfAnotherDevice_namesIt() {
        assertEquals(
                "the header names device dev-b, not dev-a",
                ClipHeaderCheck.problem("dev-a", 7, Messages.signedHeaderV3("dev-b", 7)));
    }

    @Test
    void problem_v3HeaderOfAnotherClip_namesItUnsigned() {
        assertEquals(
                "the header names clip 9223372036854775807, not 7",
                ClipHeaderCheck.problem("dev-a", 7, Messages.signedHeaderV3("dev-a", Long.MAX_VALUE)));
    }

    @Test
    void problem_v3ClipHeaderWithoutItsSignedWrapper_refused() throws Exception {
        ByteString inner =
                SignedClipHeader.parseFrom(Messages.signedHeaderV3("dev-a", 7)).getHeader();

        assertEquals(
                "the header is a format 3 ClipHeader without its SignedClipHeader",
                ClipHeaderCheck.problem("dev-a", 7, inner));
    }

    @Test
    void problem_v2ClipHeaderWithoutItsSignedWrapper_refused() throws Exception {
        ByteString inner =
                SignedClipHeader.parseFrom(Messages.signedHeader("dev-a", 7)).getHeader();

        assertEquals(
                "the header is a format 2 ClipHeader without its SignedClipHeader",
                ClipHeaderCheck.problem("dev-a", 7, inner));
    }

    @Test
    void problem_signedHeaderWithoutASignature_readAsV1AndRefused() throws Exception {
        ByteString unsigned = SignedClipHeader.parseFrom(Messages.signedHeader("dev-a", 7)).toBuilder()
                .clearSignature()
                .build()
                .toByteString();

        // Without a signature it is no v2 header; read as a ClipHeader it names no device (its field 1 is bytes).
        assertEquals("the header names no valid device id", ClipHeaderCheck.problem("dev-a", 7, unsigned));
    }

    @Test
    void problem_notProtobuf_namesBothLayouts() {
        assertEquals(
                "the 3 header bytes are not a ClipHeader or a SignedClipHeader",
                ClipHeaderCheck.problem("dev-a", 7, ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff, 0x7f})));
    }
}
