package dev.doorbell.seal.v2;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.Recipient;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.RecipientListResult.Status;
import dev.doorbell.proto.v1.SignedRecipientList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The owner's signed statement of who may open a device's future clips (docs/FORMAT.md §12): signing it, and the
 * device's checks before it uses one. The uplink relays the bytes; it cannot make one that verifies.
 */
public final class RecipientLists {
    public static final int MAX_RECIPIENTS = 64;

    private RecipientLists() {}

    /** A list from its parts (not yet signed or checked). */
    public static RecipientList list(
            String deviceId, long version, long issuedUnixMs, Collection<RecipientPublicKey> recipients) {
        RecipientList.Builder list = RecipientList.newBuilder()
                .setDeviceId(deviceId)
                .setVersion(version)
                .setIssuedUnixMs(issuedUnixMs);
        recipients.forEach(r -> list.addRecipients(r.toProto()));
        return list.build();
    }

    /**
     * Checks the rules and signs: the SignedRecipientList bytes.
     *
     * @throws IllegalArgumentException naming the broken rule
     */
    public static byte[] sign(SigningKey owner, RecipientList list) {
        String problem = problem(list);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        byte[] listBytes = list.toByteArray();
        return SignedRecipientList.newBuilder()
                .setList(ByteString.copyFrom(listBytes))
                .setSignature(ByteString.copyFrom(owner.sign(Contexts.RECIPIENT_LIST, listBytes)))
                .build()
                .toByteArray();
    }

    /**
     * What a device checks before it uses a list, in this order: the bytes parse as a SignedRecipientList
     * (REFUSED_MALFORMED), the signature verifies under the owner's key (REFUSED_SIGNATURE), the list parses and
     * keeps the rules of {@link #sign} (REFUSED_MALFORMED), names this device (REFUSED_DEVICE), and has a version
     * above {@code currentVersion}, compared as unsigned 64-bit numbers (REFUSED_VERSION; 0 = the device holds none).
     */
    public static RecipientList verify(VerifyingKey owner, String deviceId, long currentVersion, byte[] signedList)
            throws RecipientListRefused {
        RecipientList list = verifySigned(owner, signedList);
        if (!list.getDeviceId().equals(deviceId)) {
            throw new RecipientListRefused(
                    Status.REFUSED_DEVICE,
                    list.getVersion(),
                    "recipient list version " + Long.toUnsignedString(list.getVersion()) + " is for device '"
                            + printable(list.getDeviceId()) + "', not " + deviceId);
        }
        if (Long.compareUnsigned(list.getVersion(), currentVersion) <= 0) {
            throw new RecipientListRefused(
                    Status.REFUSED_VERSION,
                    list.getVersion(),
                    "recipient list version " + Long.toUnsignedString(list.getVersion()) + " for device " + deviceId
                            + " is not above the version held, " + Long.toUnsignedString(currentVersion));
        }
        return list;
    }

    /**
     * A list whose signature verifies under {@code owner} and which keeps the rules, whatever its device and
     * version: what the owner reads back from its own lists directory.
     */
    public static RecipientList verifySigned(VerifyingKey owner, byte[] signedList) throws RecipientListRefused {
        SignedRecipientList signed;
        try {
            signed = SignedRecipientList.parseFrom(signedList);
        } catch (InvalidProtocolBufferException e) {
            throw new RecipientListRefused(
                    Status.REFUSED_MALFORMED, 0, "not a SignedRecipientList (" + signedList.length + " bytes)");
        }
        byte[] listBytes = signed.getList().toByteArray();
        if (!owner.verify(
                Contexts.RECIPIENT_LIST, listBytes, signed.getSignature().toByteArray())) {
            long claimed = claimedVersion(listBytes);
            throw new RecipientListRefused(
                    Status.REFUSED_SIGNATURE,
                    0,
                    "recipient list (" + listBytes.length + " bytes, claims version " + Long.toUnsignedString(claimed)
                            + ") is not signed by the owner's key " + owner.fingerprint());
        }
        RecipientList list;
        try {
            list = RecipientList.parseFrom(listBytes);
        } catch (InvalidProtocolBufferException e) {
            throw new RecipientListRefused(
                    Status.REFUSED_MALFORMED, 0, "signed recipient list does not parse as a RecipientList");
        }
        String problem = problem(list);
        if (problem != null) {
            throw new RecipientListRefused(Status.REFUSED_MALFORMED, list.getVersion(), problem);
        }
        return list;
    }

    /**
     * The version an unverified list claims, for the refusal's detail only (0 when it does not parse): the result's
     * version field stays 0, since nothing the owner did not sign is believed.
     */
    private static long claimedVersion(byte[] listBytes) {
        try {
            return RecipientList.parseFrom(listBytes).getVersion();
        } catch (InvalidProtocolBufferException e) {
            return 0;
        }
    }

    /** The recipients of a list that keeps the rules, in list order. */
    public static List<RecipientPublicKey> recipients(RecipientList list) {
        List<RecipientPublicKey> out = new ArrayList<>();
        for (Recipient r : list.getRecipientsList()) {
            out.add(RecipientPublicKey.fromProto(r));
        }
        return out;
    }

    /**
     * The rules of a list, or null when it keeps them: a valid device id, a version of 1 or more, 1 to 64
     * recipients, each a valid name, kem 0x0020 with a 32-byte key or kem 0x647a (X-Wing) with a 1216-byte key, no
     * name twice, no key twice.
     */
    static String problem(RecipientList list) {
        String device = "recipient list version " + Long.toUnsignedString(list.getVersion()) + " for device '"
                + printable(list.getDeviceId()) + "'";
        if (!DeviceIds.isValid(list.getDeviceId())) {
            return device + ": the device id is not valid: a device id is " + DeviceIds.RULE;
        }
        if (list.getVersion() == 0) {
            return device + ": version 0; lists count from 1";
        }
        int count = list.getRecipientsCount();
        if (count < 1 || count > MAX_RECIPIENTS) {
            return device + ": " + count + " recipients; a list has 1 to " + MAX_RECIPIENTS;
        }
        Set<String> names = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < count; i++) {
            Recipient r = list.getRecipients(i);
            try {
                RecipientPublicKey.fromProto(r);
            } catch (IllegalArgumentException e) {
                return device + ", recipient " + (i + 1) + ": " + e.getMessage();
            }
            if (!names.add(r.getName())) {
                return device + ": the name '" + r.getName() + "' appears twice";
            }
            if (!keys.add(HexFormat.of().formatHex(r.getPublicKey().toByteArray()))) {
                return device + ": recipient '" + r.getName() + "' has the same key as an earlier one";
            }
        }
        return null;
    }

    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : "?");
        }
        return out.toString();
    }
}
