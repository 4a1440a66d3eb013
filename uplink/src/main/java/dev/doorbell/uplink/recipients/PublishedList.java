package dev.doorbell.uplink.recipients;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.SignedRecipientList;

/**
 * An owner-signed recipient list as the uplink keeps it: the bytes exactly as the operator published them, and the
 * two facts the uplink reads from them with protobuf alone, to file and order them. The uplink cannot check the
 * owner's signature (it holds no verifier); the device does, and refuses a list the owner did not sign.
 */
public record PublishedList(String deviceId, long version, ByteString signedList) {
    /**
     * Larger than any valid list (docs/FORMAT.md §12: 64 recipients, each at most a 63-character name and an X-Wing
     * key of 1216 bytes, about 82,800 bytes in all with the signature): a file beyond it is refused.
     */
    public static final int MAX_BYTES = 128 * 1024;

    private static final int SIGNATURE_BYTES = 64;

    /**
     * Reads device id and version from SignedRecipientList bytes; {@code source} names where they came from in the
     * message of the {@link MalformedListException}.
     */
    public static PublishedList parse(String source, ByteString bytes) throws MalformedListException {
        if (bytes.size() > MAX_BYTES) {
            throw new MalformedListException(source + ": " + bytes.size() + " bytes, more than a recipient list "
                    + "can be (" + MAX_BYTES + ")");
        }
        SignedRecipientList signed;
        RecipientList list;
        try {
            signed = SignedRecipientList.parseFrom(bytes);
            list = RecipientList.parseFrom(signed.getList());
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedListException(source + ": not a SignedRecipientList (" + e.getMessage() + ")");
        }
        if (signed.getList().isEmpty() || signed.getSignature().size() != SIGNATURE_BYTES) {
            throw new MalformedListException(source + ": not a SignedRecipientList (it needs the list and a "
                    + SIGNATURE_BYTES + "-byte signature, has "
                    + signed.getList().size() + " list bytes and a "
                    + signed.getSignature().size() + "-byte signature)");
        }
        if (!DeviceIds.isValid(list.getDeviceId())) {
            throw new MalformedListException(
                    source + ": the list names no valid device id (a device id is " + DeviceIds.RULE + ")");
        }
        if (list.getVersion() == 0) {
            throw new MalformedListException(
                    source + ": the list for device " + list.getDeviceId() + " has version 0; versions start at 1");
        }
        return new PublishedList(list.getDeviceId(), list.getVersion(), bytes);
    }

    @Override
    public String toString() {
        return "PublishedList{device " + deviceId + ", version " + Long.toUnsignedString(version) + ", "
                + signedList.size() + " bytes}";
    }
}
