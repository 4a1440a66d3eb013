package dev.doorbell.seal.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import org.junit.jupiter.api.Test;

class DeviceKeyCertificatesTest {
    private final V2Fixture world = new V2Fixture(new InsecureDeterministicRandom("device-key-certificates-test"));

    @Test
    void issueThenVerify_givesTheDeviceKey() throws Exception {
        assertEquals(
                world.deviceKey.publicKey(),
                DeviceKeyCertificates.verify(world.owner.publicKey(), V2Fixture.DEVICE, world.certificate));
        DeviceKeyCertificates.Verified v =
                DeviceKeyCertificates.parseVerified(world.owner.publicKey(), V2Fixture.DEVICE, world.certificate);
        assertEquals(V2Fixture.PAIRED_AT, v.pairedUnixMs());
    }

    @Test
    void anotherDeviceAnotherOwnerAlteredOrGarbage_refused() {
        CertificateRefused device = assertThrows(
                CertificateRefused.class,
                () -> DeviceKeyCertificates.verify(world.owner.publicKey(), "back-door", world.certificate));
        assertTrue(device.getMessage().contains("names device 'front-door'"), device.getMessage());
        assertThrows(
                CertificateRefused.class,
                () -> DeviceKeyCertificates.verify(
                        SigningKey.generate(world.random).publicKey(), V2Fixture.DEVICE, world.certificate));
        for (int i = 0; i < world.certificate.length; i++) {
            byte[] altered = world.certificate.clone();
            altered[i] ^= 1;
            assertThrows(
                    CertificateRefused.class,
                    () -> DeviceKeyCertificates.verify(world.owner.publicKey(), V2Fixture.DEVICE, altered),
                    "byte " + i);
        }
        assertThrows(
                CertificateRefused.class,
                () -> DeviceKeyCertificates.verify(
                        world.owner.publicKey(), V2Fixture.DEVICE, new byte[] {(byte) 0xff}));
    }

    @Test
    void deviceSigner_copiesTheCertificateAndPrintsNoSecret() {
        byte[] certificate = world.certificate.clone();
        DeviceSigner signer = new DeviceSigner(V2Fixture.DEVICE, world.deviceKey, certificate);
        certificate[0] ^= 1;
        assertArrayEquals(world.certificate, signer.certificate());
        assertEquals(signer, new DeviceSigner(V2Fixture.DEVICE, world.deviceKey, world.certificate));
        assertEquals(
                signer.hashCode(), new DeviceSigner(V2Fixture.DEVICE, world.deviceKey, world.certificate).hashCode());
        assertNotEquals(signer, new DeviceSigner("back-door", world.deviceKey, world.certificate));
        assertNotEquals(
                signer, new DeviceSigner(V2Fixture.DEVICE, SigningKey.generate(world.random), world.certificate));
        assertNotEquals(signer, new DeviceSigner(V2Fixture.DEVICE, world.deviceKey, new byte[] {1}));
        assertEquals(
                "DeviceSigner{front-door, key " + world.deviceKey.publicKey().fingerprint() + "}", signer.toString());
        assertThrows(IllegalArgumentException.class, () -> new DeviceSigner(V2Fixture.DEVICE, null, world.certificate));
        assertThrows(
                IllegalArgumentException.class, () -> new DeviceSigner(V2Fixture.DEVICE, world.deviceKey, new byte[0]));
    }
}
