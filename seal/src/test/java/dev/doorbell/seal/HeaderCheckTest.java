package dev.doorbell.seal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ClipHeader;
import org.junit.jupiter.api.Test;

/** Every check of a header against where it is stored, at each limit: just below, at and just above. */
class HeaderCheckTest {
    private static final String WHERE = "; stored as device front-door clip 7)";
    private static final ClipHeader VALID = ClipHeader.newBuilder()
            .setFormatVersion(1)
            .setDeviceId("front-door")
            .setClipId(7)
            .setKeyEpoch(3)
            .setSalt(ByteString.copyFrom(new byte[32]))
            .setNoncePrefix(ByteString.copyFrom(new byte[7]))
            .setKeyCommitment(ByteString.copyFrom(new byte[32]))
            .build();

    @Test
    void problem_validHeader_none() {
        assertNull(problem(VALID));
    }

    @Test
    void problem_formatVersionOtherThan1_badHeader() {
        assertEquals(
                "bad header (format_version 0, expected 1" + WHERE,
                problem(VALID.toBuilder().setFormatVersion(0).build()));
        assertEquals(
                "bad header (format_version 2, expected 1" + WHERE,
                problem(VALID.toBuilder().setFormatVersion(2).build()));
    }

    @Test
    void problem_saltNoncePrefixCommitmentOneByteShortOrLong_badHeaderNamingTheField() {
        assertEquals(
                "bad header (salt is 31 bytes, expected 32" + WHERE,
                problem(VALID.toBuilder()
                        .setSalt(ByteString.copyFrom(new byte[31]))
                        .build()));
        assertEquals(
                "bad header (salt is 33 bytes, expected 32" + WHERE,
                problem(VALID.toBuilder()
                        .setSalt(ByteString.copyFrom(new byte[33]))
                        .build()));
        assertEquals(
                "bad header (nonce_prefix is 6 bytes, expected 7" + WHERE,
                problem(VALID.toBuilder()
                        .setNoncePrefix(ByteString.copyFrom(new byte[6]))
                        .build()));
        assertEquals(
                "bad header (nonce_prefix is 8 bytes, expected 7" + WHERE,
                problem(VALID.toBuilder()
                        .setNoncePrefix(ByteString.copyFrom(new byte[8]))
                        .build()));
        assertEquals(
                "bad header (key_commitment is 31 bytes, expected 32" + WHERE,
                problem(VALID.toBuilder()
                        .setKeyCommitment(ByteString.copyFrom(new byte[31]))
                        .build()));
        assertEquals(
                "bad header (key_commitment is 33 bytes, expected 32" + WHERE,
                problem(VALID.toBuilder()
                        .setKeyCommitment(ByteString.copyFrom(new byte[33]))
                        .build()));
        assertEquals(
                "bad header (salt is 0 bytes, expected 32" + WHERE,
                problem(VALID.toBuilder().clearSalt().clearNoncePrefix().build()),
                "the first wrong field is named");
    }

    @Test
    void problem_keyEpochUpToTheLimit_accepted_aboveRefused() {
        assertNull(
                problem(VALID.toBuilder().setKeyEpoch(ClipOpener.MAX_EPOCH - 1).build()));
        assertNull(problem(VALID.toBuilder().setKeyEpoch(ClipOpener.MAX_EPOCH).build()));
        assertEquals(
                "bad header (key_epoch 1048577 above the limit 1048576" + WHERE,
                problem(VALID.toBuilder().setKeyEpoch(ClipOpener.MAX_EPOCH + 1).build()));
        assertEquals(
                "bad header (key_epoch 4294967295 above the limit 1048576" + WHERE,
                problem(VALID.toBuilder().setKeyEpoch(-1).build()),
                "a uint32 epoch above 2^31 is not negative");
    }

    @Test
    void problem_otherClip_namedUnsigned() {
        assertEquals(
                "header names another clip (8" + WHERE,
                problem(VALID.toBuilder().setClipId(8).build()));
        assertEquals(
                "header names another clip (18446744073709551615" + WHERE,
                problem(VALID.toBuilder().setClipId(-1).build()));
        assertEquals(
                "header names another clip (7; stored as device front-door clip 18446744073709551615)",
                HeaderCheck.problem(VALID, "front-door", -1, ClipOpener.MAX_EPOCH));
    }

    @Test
    void problem_otherDevice_namedWithOnlyPrintableAsciiAndAtMost80Characters() {
        assertEquals("header names another device ('back-door'" + WHERE, problemForDevice("back-door"));
        assertEquals("header names another device (' ~'" + WHERE, problemForDevice(" ~"));
        assertEquals("header names another device ('a?b?c?d?'" + WHERE, problemForDevice("a\u001fb\u007fc\u00e9d\n"));
        assertEquals("header names another device (''" + WHERE, problemForDevice(""));
        String eighty = "x".repeat(80);
        assertEquals("header names another device ('" + eighty + "'" + WHERE, problemForDevice(eighty));
        assertEquals("header names another device ('" + eighty + "'" + WHERE, problemForDevice(eighty + "yz"));
        assertEquals("header names another device ('" + "x".repeat(79) + "'" + WHERE, problemForDevice("x".repeat(79)));
    }

    private static String problemForDevice(String deviceId) {
        return problem(VALID.toBuilder().setDeviceId(deviceId).build());
    }

    private static String problem(ClipHeader header) {
        return HeaderCheck.problem(header, "front-door", 7, ClipOpener.MAX_EPOCH);
    }
}
