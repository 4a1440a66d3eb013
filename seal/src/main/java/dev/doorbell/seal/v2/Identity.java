package dev.doorbell.seal.v2;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an opener of v2 clips holds: the owner's signing public key (its trust anchor for device certificates), the
 * device keys the owner paired when it is the owner's own directory, and the recipient key pairs it may unwrap with.
 * The owner's directory and a viewer's directory (in the owner module) are identities.
 */
public interface Identity {
    /** The owner's signing public key: a clip's device certificate must verify under it. */
    VerifyingKey ownerKey();

    /**
     * The device key the owner certified at pairing ({@code OWNER/devices/<id>.cert}), when this identity has the
     * owner's records; empty for a viewer. A clip certified for another key is refused.
     */
    Optional<VerifyingKey> pairedDeviceKey(String deviceId);

    /** The recipient key pairs to try, matched by key id; never destroyed by the opener. */
    List<RecipientKeyPair> recipientKeys();

    /** An identity of exactly these parts, without paired device keys (a viewer's). */
    static Identity of(VerifyingKey ownerKey, List<RecipientKeyPair> recipientKeys) {
        return of(ownerKey, Map.of(), recipientKeys);
    }

    /** An identity of exactly these parts. */
    static Identity of(
            VerifyingKey ownerKey, Map<String, VerifyingKey> pairedDeviceKeys, List<RecipientKeyPair> recipientKeys) {
        Map<String, VerifyingKey> paired = Map.copyOf(pairedDeviceKeys);
        List<RecipientKeyPair> keys = List.copyOf(recipientKeys);
        return new Identity() {
            @Override
            public VerifyingKey ownerKey() {
                return ownerKey;
            }

            @Override
            public Optional<VerifyingKey> pairedDeviceKey(String deviceId) {
                return Optional.ofNullable(paired.get(deviceId));
            }

            @Override
            public List<RecipientKeyPair> recipientKeys() {
                return keys;
            }

            @Override
            public String toString() {
                return "Identity{owner " + ownerKey.fingerprint() + ", " + paired.size() + " paired devices, "
                        + keys.size() + " recipient keys}";
            }
        };
    }
}
