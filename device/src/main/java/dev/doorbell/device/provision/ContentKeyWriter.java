package dev.doorbell.device.provision;

import dev.doorbell.device.tls.DeviceDirectory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

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

  /** Writes {@code deviceDir/epoch.key} and {@code ownerKeyringDir/<deviceId>.root}, both 0600 and durable. */
  void write(String deviceId, Path deviceDir, Path ownerKeyringDir) throws IOException {
    // TEMPORARY until the merge with dev.doorbell.device.keys; the lead replaces this body with:
    //   RootKey root = RootKey.generate(deviceId, random);
    //   EpochKeyFile.write(deviceDir.resolve(DeviceDirectory.EPOCH_KEY), root.epochKey(0));
    //   OwnerKeyring.writeRootKey(ownerKeyringDir, root);
    byte[] root = new byte[32];
    byte[] epochKey = new byte[32];
    try {
      random.nextBytes(root);
      HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
      hkdf.init(new HKDFParameters(root, null, epochInfo(deviceId, 0)));
      hkdf.generateBytes(epochKey, 0, epochKey.length);
      Base64.Encoder base64 = Base64.getEncoder();
      PrivateFiles.writePrivate(deviceDir.resolve(DeviceDirectory.EPOCH_KEY),
          "doorbell-epoch-key v1\ndevice: " + deviceId + "\nepoch: 0\nkey: " + base64.encodeToString(epochKey) + "\n",
          true);
      PrivateFiles.writePrivate(ownerKeyringDir.resolve(deviceId + ROOT_SUFFIX),
          "doorbell-root-key v1\ndevice: " + deviceId + "\nkey: " + base64.encodeToString(root) + "\n", true);
    } finally {
      Arrays.fill(root, (byte) 0);
      Arrays.fill(epochKey, (byte) 0);
    }
  }

  /** TEMPORARY, with the body above: {@code "doorbell/v1/epoch-key" ‖ 0x00 ‖ device_id ‖ 0x00 ‖ u32be(epoch)}. */
  private static byte[] epochInfo(String deviceId, int epoch) {
    byte[] label = "doorbell/v1/epoch-key".getBytes(StandardCharsets.US_ASCII);
    byte[] id = deviceId.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(label.length + 1 + id.length + 1 + 4)
        .put(label).put((byte) 0).put(id).put((byte) 0).putInt(epoch).array();
  }
}
