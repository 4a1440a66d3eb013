package dev.doorbell.uplink.store;

import java.io.IOException;

/** The store cannot make data durable now (disk full, fsync failed); the device may retry later. */
public final class StoreUnavailableException extends IOException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreUnavailableException(String message) {
    super(message);
  }
}
