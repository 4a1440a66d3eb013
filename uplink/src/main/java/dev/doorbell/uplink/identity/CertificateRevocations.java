package dev.doorbell.uplink.identity;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet CA's current revocation list, taken from {@code crl.pem} next to the CA certificate and taken again
 * whenever that file changes. Rules, so that the file can never weaken what is already known:
 * <ul>
 *   <li>at start, a file that is present but unreadable or not signed by the fleet CA stops the uplink;</li>
 *   <li>later, such a file is refused with a warning and the list in force stays in force;</li>
 *   <li>a list with a lower CRL number than the one in force is refused (a rollback would un-revoke devices);</li>
 *   <li>a deleted file keeps the list in force (revocation is undone only by a newer signed list);</li>
 *   <li>a list past its nextUpdate is still used, with a warning: refusing every device would be an outage.</li>
 * </ul>
 * Thread-safe: lookups read one volatile reference; reloads are serialised.
 */
public final class CertificateRevocations {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateRevocations.class);

  private final Path file;
  private final X509Certificate ca;
  private final Clock clock;
  private volatile X509CRL current;
  private FileStamp loaded;

  private CertificateRevocations(Path file, X509Certificate ca, Clock clock) {
    this.file = file;
    this.ca = ca;
    this.clock = clock;
  }

  /** No list: nothing is revoked (insecure plaintext mode, and tests that do not concern revocation). */
  public static CertificateRevocations none() {
    return new CertificateRevocations(null, null, Clock.systemUTC());
  }

  /** Loads {@code file} if it exists; fails naming the file if it exists but cannot be trusted. */
  public static CertificateRevocations load(Path file, X509Certificate ca, Clock clock) throws IOException {
    CertificateRevocations revocations = new CertificateRevocations(Objects.requireNonNull(file),
        Objects.requireNonNull(ca), clock);
    FileStamp stamp = FileStamp.of(file);
    if (stamp != null) {
      revocations.take(CrlFile.read(file, ca), stamp);
    } else {
      LOG.info("no revocation list at {}: no device certificate is revoked until one appears", file);
    }
    return revocations;
  }

  /**
   * Takes the file again if it changed since the last look. Returns true when a new list came into force. Never
   * throws: a bad file is logged and refused.
   */
  public synchronized boolean reloadIfChanged() {
    if (file == null) {
      return false;
    }
    FileStamp stamp;
    try {
      stamp = FileStamp.of(file);
    } catch (IOException e) {
      LOG.warn("cannot look at revocation list {}: {}", file, e.toString());
      return false;
    }
    if (Objects.equals(stamp, loaded)) {
      return false;
    }
    if (stamp == null) {
      LOG.warn("revocation list {} was removed; the list in force ({}) stays in force", file, describe());
      loaded = null;
      return false;
    }
    try {
      X509CRL next = CrlFile.read(file, ca);
      BigInteger now = current == null ? BigInteger.ONE.negate() : CrlFile.number(current);
      if (CrlFile.number(next).compareTo(now) < 0) {
        LOG.warn("revocation list {} has CRL number {}, lower than {} in force: refused", file,
            CrlFile.number(next), now);
        loaded = stamp;
        return false;
      }
      take(next, stamp);
      return true;
    } catch (IOException e) {
      LOG.warn("revocation list refused, the list in force ({}) stays in force: {}", describe(), e.getMessage());
      loaded = stamp;
      return false;
    }
  }

  /** Why {@code certificate} is revoked (serial, date, reason, CRL number), or empty if it is not. */
  public Optional<String> revocation(X509Certificate certificate) {
    X509CRL crl = current;
    if (crl == null) {
      return Optional.empty();
    }
    X509CRLEntry entry = crl.getRevokedCertificate(certificate);
    if (entry == null) {
      return Optional.empty();
    }
    String reason = entry.getRevocationReason() == null ? "UNSPECIFIED" : entry.getRevocationReason().name();
    return Optional.of("certificate serial " + certificate.getSerialNumber().toString(16) + " was revoked by the "
        + "fleet CA on " + entry.getRevocationDate().toInstant() + " (reason " + reason + ", CRL number "
        + CrlFile.number(crl) + ")");
  }

  /** The file watched, or null for {@link #none()}. */
  public Path file() {
    return file;
  }

  /** For logs: "CRL number N, K revoked" or "none". */
  public String describe() {
    X509CRL crl = current;
    if (crl == null) {
      return "none";
    }
    int count = crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size();
    return "CRL number " + CrlFile.number(crl) + ", " + count + " revoked";
  }

  private void take(X509CRL crl, FileStamp stamp) {
    current = crl;
    loaded = stamp;
    Date nextUpdate = crl.getNextUpdate();
    if (nextUpdate != null && nextUpdate.toInstant().isBefore(clock.instant())) {
      LOG.warn("revocation list {} is past its nextUpdate {}: still used; run `doorbell revoke` or provision to "
          + "write a fresh one", file, nextUpdate.toInstant());
    }
    LOG.info("revocation list in force from {}: {}", file, describe());
  }

  /**
   * What identifies one version of the file. {@code revoke} replaces the file by a rename, so the file key (inode)
   * changes even when two versions share a modification time.
   */
  private record FileStamp(Object fileKey, FileTime modified, long size) {
    static FileStamp of(Path file) throws IOException {
      try {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new FileStamp(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size());
      } catch (NoSuchFileException e) {
        return null;
      }
    }
  }
}
