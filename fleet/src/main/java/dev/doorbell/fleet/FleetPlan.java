package dev.doorbell.fleet;

import dev.doorbell.device.camera.Profile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What a fleet run does.
 *
 * @param host uplink host (loopback for benchmarks)
 * @param port uplink port
 * @param fleetDir the provisioned fleet (provisioned there with {@code devices} devices when it has none)
 * @param devices devices in the whole fleet; this run takes its shard of them
 * @param shard this process's part of the fleet
 * @param rampPerSecond devices started per second
 * @param maxConnecting most TLS handshakes in progress at once; the ramp waits for room
 * @param duration from the first connect to the end of sending
 * @param clipsPerHour mean Poisson rate of clips per device
 * @param minClip shortest clip
 * @param maxClip longest clip
 * @param profile frame profile (size and fps of the pooled frames)
 * @param seed seeds every device's clip schedule and the frame pool
 * @param report directory of the report files and latency.hlog
 * @param tag names this process in latency.hlog
 * @param ioThreads event-loop threads shared by every link
 * @param senderThreads threads that seal and send; each owns an equal share of the devices
 * @param connectTimeout how long a device may take to be welcomed before it counts as failed
 * @param drainTimeout how long to wait at the end for PERSISTED acks
 * @param maxErrorRate errors per frame sent above which the run fails
 * @param maxConnectFailureRate failed devices per device above which the run fails
 * @param progressJson print progress as JSON lines (for a parent process) instead of text
 */
public record FleetPlan(String host, int port, Path fleetDir, int devices, Shard shard, double rampPerSecond,
    int maxConnecting, Duration duration, double clipsPerHour, Duration minClip, Duration maxClip, Profile profile,
    long seed, Path report, String tag, int ioThreads, int senderThreads, Duration connectTimeout,
    Duration drainTimeout, double maxErrorRate, double maxConnectFailureRate, boolean progressJson) {

  public FleetPlan {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(fleetDir, "fleetDir");
    Objects.requireNonNull(report, "report");
    Objects.requireNonNull(profile, "profile");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }
    if (devices < 1 || maxConnecting < 1 || rampPerSecond <= 0 || clipsPerHour <= 0 || ioThreads < 1
        || senderThreads < 1) {
      throw new IllegalArgumentException("devices, ramp, max connecting, clips per hour and threads must be "
          + "positive, got " + devices + ", " + rampPerSecond + ", " + maxConnecting + ", " + clipsPerHour + ", "
          + ioThreads + ", " + senderThreads);
    }
    if (duration.isNegative() || duration.isZero() || minClip.isNegative() || minClip.isZero()
        || maxClip.compareTo(minClip) < 0) {
      throw new IllegalArgumentException("need a positive duration and 0 < min clip <= max clip, got " + duration
          + ", " + minClip + ".." + maxClip);
    }
    if (maxErrorRate < 0 || maxConnectFailureRate < 0) {
      throw new IllegalArgumentException("error thresholds must not be negative");
    }
  }
}
