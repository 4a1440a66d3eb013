package dev.doorbell.pki;

/** The README.txt of a fleet directory: what each folder is and who may hold it. */
final class FleetReadme {
    private FleetReadme() {}

    static String text() {
        return """
        doorbell fleet, written by `doorbell provision`

        fleet.txt           one device id per line.

        ca/                 the fleet CA. ca-key.pem signs every certificate of this fleet: keep it offline;
                            only `doorbell provision --add` reads it. Anyone holding it can mint devices.

        uplink/             everything the uplink needs, and nothing that can decrypt a clip:
                            ca-cert.pem (to verify devices), server-cert.pem and server-key.pem (its TLS
                            identity). Copy this folder, and only this folder, to the uplink host.

        devices/<id>/       one folder per doorbell: ca-cert.pem (to verify the uplink; a hard link to
                            ca/ca-cert.pem, so copy the folder, never edit the file in place), device-cert.pem and
                            device-key.pem (its TLS identity), epoch.key (its current content key; the device
                            ratchets it forward and erases the old one) and device.properties. Goes to that
                            device only.

        conformance/<id>/   (with `provision --conformance`) conformance-1 and conformance-2, device folders like
                            the above, reserved for `doorbell conformance`: its test clips are stored under these
                            ids only, never under a doorbell's. Not in fleet.txt.

        owner/keyring/      <id>.root, the root key of each device, from which the owner derives every epoch
                            key to open clips. Goes to the owner only: never to the uplink, never to a device.

        Private files are mode 0600 and the folders that hold them 0700. Every file and folder was synced to
        disk before provision printed its summary; a fleet without fleet.txt was cut short.
        """;
    }
}
