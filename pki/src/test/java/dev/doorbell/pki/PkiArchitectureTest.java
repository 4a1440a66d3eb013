package dev.doorbell.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.testing.ClassScan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The build shows that the vendor's tools never hold an owner's key: no compiled class of pki names anything of the
 * format library (root keys, epoch keys, sealing), of the owner's side, or of the device. Provisioning writes TLS
 * identities; content keys, where a fleet needs them, come through {@link DeviceEnrollment} from the owner's side.
 * Maven Enforcer keeps those modules off pki's class path; this scan also catches a type reached another way.
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
    }
}
