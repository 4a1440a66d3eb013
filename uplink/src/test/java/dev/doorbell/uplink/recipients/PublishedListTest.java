package dev.doorbell.uplink.recipients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.Recipient;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.SignedRecipientList;
import org.junit.jupiter.api.Test;

/** How big a published list may be: the largest valid list must pass, anything far beyond it must not. */
class PublishedListTest {
    @Test
    void parse_64XWingRecipientsWithLongNames_accepted() throws Exception {
        // The largest list the rules allow (docs/FORMAT.md §12): 64 recipients, names of 63 characters, each an
        // X-Wing key of 1216 bytes.
        RecipientList.Builder list = RecipientList.newBuilder()
                .setDeviceId("d".repeat(63))
                .setVersion(Long.MAX_VALUE)
                .setIssuedUnixMs(Long.MAX_VALUE);
        for (int i = 0; i < 64; i++) {
            list.addRecipients(Recipient.newBuilder()
                    .setName(String.format("%02d", i) + "v".repeat(61))
                    .setKem(0x647a)
                    .setPublicKey(ByteString.copyFrom(new byte[1216])));
        }
        ByteString signed = SignedRecipientList.newBuilder()
                .setList(list.build().toByteString())
                .setSignature(ByteString.copyFrom(new byte[64]))
                .build()
                .toByteString();
        assertTrue(signed.size() > 64 * 1024, signed.size() + " bytes");

        PublishedList parsed = PublishedList.parse("test", signed);

        assertEquals(Long.MAX_VALUE, parsed.version());
        assertEquals(signed, parsed.signedList());
    }

    @Test
    void parse_beyondMaxBytes_refusedBeforeParsing() {
        ByteString huge = ByteString.copyFrom(new byte[PublishedList.MAX_BYTES + 1]);

        MalformedListException e = assertThrows(MalformedListException.class, () -> PublishedList.parse("big", huge));

        assertTrue(e.getMessage().contains("more than a recipient list can be"), e.getMessage());
    }
}
