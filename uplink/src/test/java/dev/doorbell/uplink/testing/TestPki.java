package dev.doorbell.uplink.testing;

import dev.doorbell.uplink.server.UplinkConfig;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The committed test PKI of src/test/resources/pki (made by generate.sh there). */
public final class TestPki {
  private TestPki() {}

  public static Path file(String name) {
    URL url = TestPki.class.getResource("/pki/" + name);
    if (url == null) {
      throw new IllegalStateException("test PKI file missing: " + name + " (run src/test/resources/pki/generate.sh)");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Path dir() {
    return file("ca-cert.pem").getParent();
  }

  /** A server config with the test server's certificate, port 0, and the given limits changed. */
  public static UplinkConfig.Builder serverConfig() {
    return UplinkConfig.builder().host("127.0.0.1").port(0).tlsDirectory(dir());
  }
}
