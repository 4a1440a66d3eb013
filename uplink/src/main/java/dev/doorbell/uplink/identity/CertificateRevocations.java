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
 *   <li>a list with a lower CRL number than the one in force is refused with an error (a rollback would un-revoke
 *   devices), also across restarts: with a data directory, the list in force and the highest number taken are kept
 *   there ({@link KeptCrl}), and at start a lower-numbered file is refused and the kept list is in force;</li>
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
    private final KeptCrl kept;
    private volatile X509CRL current;
    private FileStamp loaded;

    private CertificateRevocations(Path file, X509Certificate ca, Clock clock, KeptCrl kept) {
        this.file = file;
        this.ca = ca;
        this.clock = clock;
        this.kept = kept;
    }

    /** No list: nothing is revoked (insecure plaintext mode, and tests that do not concern revocation). */
    public static CertificateRevocations none() {
        return new CertificateRevocations(null, null, Clock.systemUTC(), null);
    }

    /**
     * Loads {@code file} if it exists; fails naming the file if it exists but cannot be trusted. Nothing is kept
     * across restarts: a restart takes whatever list the file holds.
     */
    public static CertificateRevocations load(Path file, X509Certificate ca, Clock clock) throws IOException {
        return load(file, ca, clock, null);
    }

    /**
     * As {@link #load(Path, X509Certificate, Clock)}, keeping the list in force and the highest CRL number taken in
     * {@code dataDir} (none: not kept). A file whose CRL number is lower than the one kept is refused with an error
     * and the kept list is in force; when that list is gone too, the uplink does not start (it cannot honour what it
     * revoked before).
     */
    public static CertificateRevocations load(Path file, X509Certificate ca, Clock clock, Path dataDir)
            throws IOException {
        KeptCrl kept = dataDir == null ? null : new KeptCrl(dataDir);
        CertificateRevocations revocations =
                new CertificateRevocations(Objects.requireNonNull(file), Objects.requireNonNull(ca), clock, kept);
        FileStamp stamp = FileStamp.of(file);
        X509CRL fromFile = stamp == null ? null : CrlFile.read(file, ca);
        if (kept == null) {
            if (fromFile != null) {
                revocations.take(fromFile, stamp, file);
            } else {
                LOG.info("no revocation list at {}: no device certificate is revoked until one appears", file);
            }
            return revocations;
        }
        X509CRL keptList = kept.list(ca);
        BigInteger highest = kept.highestNumber();
        if (keptList != null && CrlFile.number(keptList).compareTo(highest) > 0) {
            // The list was kept, and the process ended before its number was.
            highest = CrlFile.number(keptList);
        }
        if (fromFile != null && CrlFile.number(fromFile).compareTo(highest) >= 0) {
            revocations.take(fromFile, stamp, file);
            revocations.keep(fromFile);
            return revocations;
        }
        if (fromFile != null) {
            LOG.error(
                    "revocation list {} has CRL number {}, lower than CRL number {} taken before ({}): refused, since an"
                            + " older list would un-revoke devices; restore the newer list or run `doorbell revoke` to write a new one",
                    file,
                    CrlFile.number(fromFile),
                    highest,
                    kept.numberFile());
        }
        if (keptList != null && CrlFile.number(keptList).equals(highest)) {
            revocations.take(keptList, stamp, kept.listFile());
        } else if (highest.signum() >= 0) {
            throw new IOException("the uplink has taken CRL number " + highest + " before (" + kept.numberFile()
                    + ") but that list is not in " + kept.listFile()
                    + (fromFile == null
                            ? " and " + file + " is missing"
                            : " and " + file + " has the lower number " + CrlFile.number(fromFile))
                    + "; put a list with CRL number "
                    + highest + " or higher in " + file);
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
                LOG.error(
                        "revocation list {} has CRL number {}, lower than CRL number {} in force: refused, since an older"
                                + " list would un-revoke devices; the list in force stays in force",
                        file,
                        CrlFile.number(next),
                        now);
                loaded = stamp;
                return false;
            }
            take(next, stamp, file);
            keep(next);
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
        String reason = entry.getRevocationReason() == null
                ? "UNSPECIFIED"
                : entry.getRevocationReason().name();
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
        int count = crl.getRevokedCertificates() == null
                ? 0
                : crl.getRevokedCertificates().size();
        return "CRL number " + CrlFile.number(crl) + ", " + count + " revoked";
    }

    /** A list that could not be kept is in force all the same: more revocations are never less safe. */
    private void keep(X509CRL crl) {
        if (kept == null) {
            return;
        }
        try {
            kept.keep(crl);
        } catch (IOException e) {
            LOG.error(
                    "revocation list with CRL number {} is in force but could not be kept in {}: {}; after a restart an"
                            + " older list would not be recognised as one",
                    CrlFile.number(crl),
                    kept.listFile().getParent(),
                    e.getMessage());
        }
    }

    /** {@code source} is where the list was read: the watched file, or the copy kept in the data directory. */
    private void take(X509CRL crl, FileStamp stamp, Path source) {
        current = crl;
        loaded = stamp;
        Date nextUpdate = crl.getNextUpdate();
        if (nextUpdate != null && nextUpdate.toInstant().isBefore(clock.instant())) {
            LOG.warn(
                    "revocation list {} is past its nextUpdate {}: still used; run `doorbell revoke` or provision to "
                            + "write a fresh one",
                    source,
                    nextUpdate.toInstant());
        }
        LOG.info("revocation list in force from {}: {}", source, describe());
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
