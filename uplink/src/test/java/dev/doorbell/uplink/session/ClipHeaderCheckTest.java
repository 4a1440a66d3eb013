package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.WrappedKey;
import dev.doorbell.uplink.testing.Messages;
import java.util.function.UnaryOperator;
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
    void problem_v2HeaderWithAnXWingWrappedKey_none() throws Exception {
        ByteString header = withWrappedKey(0, w -> w.setKem(0x647a).setEnc(ByteString.copyFrom(new byte[1120])));

        assertNull(ClipHeaderCheck.problem("dev-a", 7, header));
    }

    @Test
    void problem_wrappedKeyOfUnknownKemOrWrongSizes_refusedNamingIt() throws Exception {
        assertEquals(
                "the header's wrapped key 1 has kem 0x0021; a wrapped key is kem 0x0020 (X25519) or 0x647a (X-Wing)",
                ClipHeaderCheck.problem("dev-a", 7, withWrappedKey(0, w -> w.setKem(0x21))));
        assertEquals(
                "the header's wrapped key 1 has an enc of 32 bytes; kem 0x647a (X-Wing) takes 1120",
                ClipHeaderCheck.problem("dev-a", 7, withWrappedKey(0, w -> w.setKem(0x647a))));
        assertEquals(
                "the header's wrapped key 1 has an enc of 1120 bytes; kem 0x0020 (X25519) takes 32",
                ClipHeaderCheck.problem(
                        "dev-a", 7, withWrappedKey(0, w -> w.setEnc(ByteString.copyFrom(new byte[1120])))));
        assertEquals(
                "the header's wrapped key 1 has a ciphertext of 49 bytes, not 48",
                ClipHeaderCheck.problem(
                        "dev-a", 7, withWrappedKey(0, w -> w.setCiphertext(ByteString.copyFrom(new byte[49])))));
    }

    /** Messages.signedHeader with its wrapped key {@code index} changed (the filler signature is kept). */
    private static ByteString withWrappedKey(int index, UnaryOperator<WrappedKey.Builder> change) throws Exception {
        SignedClipHeader signed = SignedClipHeader.parseFrom(Messages.signedHeader("dev-a", 7));
        ClipHeader inner = ClipHeader.parseFrom(signed.getHeader());
        ClipHeader changed = inner.toBuilder()
                .setWrappedKeys(index, change.apply(inner.getWrappedKeys(index).toBuilder()))
                .build();
        return signed.toBuilder().setHeader(changed.toByteString()).build().toByteString();
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
