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
                            device-key.pem (its TLS identity) and device.properties. Goes to that device only.
                            No content key: `doorbell pair --owner OWNER --devices-dir devices` makes each device
                            its own signing key and gives it the owner's public key and recipient list.

        conformance/<id>/   (with `provision --conformance`) conformance-1 and conformance-2, device folders like
                            the above, reserved for `doorbell conformance`: its test clips are stored under these
                            ids only, never under a doorbell's. Not in fleet.txt.

        Nothing here opens a clip, and nothing here is the owner's: the owner's keys are made on the
        owner's machine (`doorbell owner init`), never by provisioning.

        Private files are mode 0600 and the folders that hold them 0700. Every file and folder was synced to
        disk before provision printed its summary; a fleet without fleet.txt was cut short.
        """;
    }
}
