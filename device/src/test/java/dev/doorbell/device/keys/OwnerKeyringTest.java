package dev.doorbell.device.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.seal.testing.InsecureDeterministicRandom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnerKeyringTest {
  @TempDir
  Path dir;

  private final InsecureDeterministicRandom rnd = new InsecureDeterministicRandom("keyring-test");

  @Test
  void writeThenOpen_allDevicesAndKeysBack() throws Exception {
    RootKey front = RootKey.generate("front-door", rnd);
    RootKey back = RootKey.generate("back-door", rnd);
    OwnerKeyring.writeRootKey(dir, front);
    OwnerKeyring.writeRootKey(dir, back);

    OwnerKeyring keyring = OwnerKeyring.open(dir);

    assertEquals(Set.of("front-door", "back-door"), keyring.deviceIds());
    assertTrue(keyring.rootKey("back-door").secret().equalsConstantTime(back.secret()));
    assertTrue(keyring.epochKey("front-door", 12).secret().equalsConstantTime(front.epochKey(12).secret()));
    assertEquals("rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("front-door.root"))));
  }

  @Test
  void rootKey_unknownDevice_errorNamesDeviceAndExpectedFile() {
    OwnerKeyring keyring = OwnerKeyring.open(dir);
    KeyFileException e = assertThrows(KeyFileException.class, () -> keyring.rootKey("garage"));
    assertTrue(e.getMessage().contains("'garage'") && e.getMessage().contains("garage.root"), e.getMessage());
  }

  @Test
  void open_fileNamedForAnotherDevice_refused() throws Exception {
    OwnerKeyring.writeRootKey(dir, RootKey.generate("front-door", rnd));
    Files.move(dir.resolve("front-door.root"), dir.resolve("garage.root"));
    KeyFileException e = assertThrows(KeyFileException.class, () -> OwnerKeyring.open(dir));
    assertTrue(e.getMessage().contains("must be named front-door.root"), e.getMessage());
  }

  @Test
  void open_notADirectory_refused() {
    assertThrows(KeyFileException.class, () -> OwnerKeyring.open(dir.resolve("missing")));
  }
}
