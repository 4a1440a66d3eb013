package dev.doorbell.device.link;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.RecipientListResult;

/**
 * The device's side of recipient lists on the link (docs/PROTOCOL.md): the version it holds, said in every Hello,
 * and what it does with a list the uplink relays. The link does not judge a list (it holds no owner key); a paired
 * device verifies it, makes it durable and answers with the result the link sends back.
 */
public interface RecipientListUpdates {
    /** A link that holds no list (version 0) and ignores relayed ones: for tests of the link alone. */
    RecipientListUpdates NONE = new RecipientListUpdates() {
        @Override
        public long heldVersion() {
            return 0;
        }

        @Override
        public RecipientListResult apply(ByteString signedList) {
            return null;
        }
    };

    /** The version of the list in use (unsigned); 0 when none. Read on the event loop: it must not block. */
    long heldVersion();

    /**
     * Verifies a relayed SignedRecipientList and, when it is acceptable, makes it durable and the list in use before it
     * returns. Blocks on disk: the link calls it off its event loop. Returns the result to send, or null to send none.
     */
    RecipientListResult apply(ByteString signedList);
}
