package dev.doorbell.device.provision;

import dev.doorbell.device.keys.EpochKey;
import dev.doorbell.device.keys.EpochKeyFile;
import dev.doorbell.device.keys.KeyFileException;
import dev.doorbell.device.keys.OwnerKeyring;
import dev.doorbell.device.keys.RootKey;
import dev.doorbell.device.tls.DeviceDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Gives a new device its content key and the owner the root key it comes from: the device gets {@code K_0} in
 * {@code epoch.key}, the owner gets {@code R} in {@code <device>.root} (docs/FORMAT.md §1 and §5). This is the one
 * place where provisioning touches content keys, and it never writes them anywhere the uplink reads.
 */
final class ContentKeyWriter {
  static final String ROOT_SUFFIX = ".root";

  private final SecureRandom random;

  ContentKeyWriter(SecureRandom random) {
    this.random = random;
  }

  /**
   * Writes {@code deviceDir/epoch.key} and {@code ownerKeyringDir/<deviceId>.root}, both 0600, not yet forced to
   * disk: the provisioner makes the fleet durable at once (FleetSync).
   */
  void write(String deviceId, Path deviceDir, Path ownerKeyringDir) throws IOException {
    RootKey root = RootKey.generate(deviceId, random);
    EpochKey first = root.epochKey(0);
    try {
      EpochKeyFile.write(deviceDir.resolve(DeviceDirectory.EPOCH_KEY), first, false);
      OwnerKeyring.writeRootKey(ownerKeyringDir, root, false);
    } catch (KeyFileException e) {
      throw new IOException(e.getMessage(), e);
    } finally {
      first.destroy();
      root.destroy();
    }
  }
}
