package dev.doorbell.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.v2.RecipientKeyPair;
import dev.doorbell.seal.v2.SigningKey;
import dev.doorbell.testing.ClassScan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The build shows that the vendor's tools never hold an owner's key: no compiled class of pki names anything of the
 * format library (v1 root and epoch keys; v2 signing keys, recipient keys, openers and shares), of the owner's side
 * (the owner's secret and identity), or of the device. Provisioning writes TLS identities only; a device becomes its
 * owner's by pairing, outside pki. Maven Enforcer keeps those modules off pki's class path; this scan also catches a
 * type reached another way. ProvisionOpensNothingTest (app) checks the files themselves.
 */
class PkiArchitectureTest {
    static final List<String> FORBIDDEN = List.of(
            "dev/doorbell/seal/",
            "dev/doorbell/owner/",
            "dev/doorbell/device/",
            "dev/doorbell/uplink/",
            "dev/doorbell/fleet/",
            "dev/doorbell/app/");

    @Test
    void mainClasses_noOwnerKeyOrContentKeyReferences() throws IOException {
        ClassScan.assertNoneReferenced("pki", FORBIDDEN, 15, "FleetProvisioner");
    }

    @Test
    void scan_classHoldingOwnerKeys_isCaught() throws IOException {
        // Guards the scan itself: the canary below names an owner's key type and must be caught.
        Path canary = ClassScan.testClass("pki", Canary.class.getName());
        assertEquals(List.of("dev/doorbell/seal/"), ClassScan.references(canary, FORBIDDEN));
    }

    /** Only here to be found by {@link #scan_classHoldingOwnerKeys_isCaught()}. */
    private static final class Canary {
        @SuppressWarnings("unused")
        private RootKey ownersKey;

        @SuppressWarnings("unused")
        private EpochKey contentKey;

        @SuppressWarnings("unused")
        private SigningKey ownersSigningKey;

        @SuppressWarnings("unused")
        private RecipientKeyPair viewersKey;
    }
}
