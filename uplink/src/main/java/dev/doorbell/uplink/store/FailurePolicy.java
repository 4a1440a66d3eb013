package dev.doorbell.uplink.store;

import java.time.Duration;

/**
 * How the writer comes back after a failed write or fsync: every {@code retryDelay} it tries to close the failed
 * segment cleanly and start a new one; after {@code maxAttempts} failures in a row without a successful batch it
 * gives up and the store stays unavailable until it is reopened.
 */
record FailurePolicy(Duration retryDelay, int maxAttempts) {
  static FailurePolicy defaults() {
    return new FailurePolicy(Duration.ofSeconds(2), 150);
  }
}
