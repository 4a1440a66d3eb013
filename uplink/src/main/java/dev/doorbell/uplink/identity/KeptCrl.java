package dev.doorbell.uplink.identity;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CRLException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Set;

/**
 * What the uplink keeps of revocation in its data directory (beside the store, which ignores these files), so that
 * a restart cannot take a list older than one it has already taken: a CA-signed list with a lower CRL number would
 * un-revoke devices.
 * <ul>
 *   <li>{@code crl-number}: the highest CRL number taken, in decimal, one line;</li>
 *   <li>{@code crl-in-force.pem}: that list itself, as the fleet CA signed it (checked again when read), so that
 *   its revocations stay in force when the fleet's {@code crl.pem} was rolled back or removed.</li>
 * </ul>
 * Each is written to a temporary file (mode 0600), fsync'd, renamed into place, and the directory fsync'd; the list
 * before the number, so that the number never names a list that is not there.
 */
final class KeptCrl {
    static final String NUMBER_FILE = "crl-number";
    static final String LIST_FILE = "crl-in-force.pem";

    private static final FileAttribute<?>[] PRIVATE =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? new FileAttribute<?>[] {
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
                    }
                    : new FileAttribute<?>[0];

    private final Path dir;

    KeptCrl(Path dir) {
        this.dir = dir;
    }

    Path numberFile() {
        return dir.resolve(NUMBER_FILE);
    }

    Path listFile() {
        return dir.resolve(LIST_FILE);
    }

    /** The highest CRL number recorded, or -1 when none is; fails naming the file when it cannot be read. */
    BigInteger highestNumber() throws IOException {
        String text;
        try {
            text = Files.readString(numberFile(), StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return BigInteger.ONE.negate();
        }
        try {
            BigInteger number = new BigInteger(text);
            if (number.signum() < 0) {
                throw new NumberFormatException("negative");
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IOException(numberFile() + ": not a CRL number: '"
                    + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'");
        }
    }

    /** The list kept, checked against the fleet CA, or null when there is none; fails naming the file if it is bad. */
    X509CRL list(X509Certificate ca) throws IOException {
        if (!Files.exists(listFile())) {
            return null;
        }
        return CrlFile.read(listFile(), ca);
    }

    /** Records {@code crl} as the list in force and its number as the highest taken. */
    void keep(X509CRL crl) throws IOException {
        byte[] der;
        try {
            der = crl.getEncoded();
        } catch (CRLException e) {
            throw new IOException("cannot encode the revocation list to keep it in " + dir + ": " + e.getMessage(), e);
        }
        String pem = "-----BEGIN X509 CRL-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END X509 CRL-----\n";
        replace(listFile(), pem);
        replace(numberFile(), CrlFile.number(crl) + "\n");
    }

    private void replace(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel channel =
                FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), PRIVATE)) {
            ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }
}
