package dev.doorbell.conformance;

import dev.doorbell.device.tls.DeviceDirectory;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * Where and with what the suite runs: the uplink's address, two devices of one fleet (the second one for "wrong
 * device id" and "another device's clip"), the first clip id to use (every case takes fresh ids from it, so runs
 * against a long-lived uplink do not collide), the random source for salts, nonce prefixes and frame contents, the
 * start time written into clip headers, how long to wait for a reply, and how long to wait for the uplink's
 * handshake deadline (which Welcome does not announce).
 */
public record ConformanceTarget(
        String host,
        int port,
        DeviceDirectory device,
        DeviceDirectory otherDevice,
        long firstClipId,
        SecureRandom random,
        long startTimeUnixMs,
        Duration replyTimeout,
        Duration handshakeWait) {
    public ConformanceTarget {
        if (device.deviceId().equals(otherDevice.deviceId())) {
            throw new IllegalArgumentException(
                    "the conformance suite needs two different devices, not " + device.deviceId() + " twice");
        }
        if (firstClipId < 1) {
            throw new IllegalArgumentException("the first clip id must be 1 or more, not " + firstClipId
                    + " (clip id 0 in an Error means the session, so no clip has it)");
        }
    }
}
