package dev.doorbell.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CA's own record of what it revoked, {@code ca/revoked.txt}: the number of the last CRL issued and every
 * revoked certificate with its device. It is the source from which each CRL is made, so a lost or hand-edited
 * {@code uplink/crl.pem} is simply issued again; the CRL number only grows, so the uplink can refuse a rollback.
 *
 * <pre>
 *   # comment lines
 *   crl-number=3
 *   revoked &lt;serial hex&gt; &lt;device id&gt; &lt;ISO-8601 instant&gt; &lt;reason&gt;
 * </pre>
 */
public final class CrlLedger {
    public static final String FILE_NAME = "revoked.txt";

    private final BigInteger crlNumber;
    private final List<CrlEntry> entries;

    private CrlLedger(BigInteger crlNumber, List<CrlEntry> entries) {
        this.crlNumber = crlNumber;
        this.entries = List.copyOf(entries);
    }

    /** No CRL issued yet, nothing revoked. */
    public static CrlLedger empty() {
        return new CrlLedger(BigInteger.ZERO, List.of());
    }

    /** Reads the ledger; a missing file is an empty ledger (a fleet made before revocation existed). */
    public static CrlLedger read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return empty();
        }
        BigInteger number = BigInteger.ZERO;
        List<CrlEntry> entries = new ArrayList<>();
        int lineNumber = 0;
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNumber++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                if (line.startsWith("crl-number=")) {
                    number = new BigInteger(line.substring("crl-number=".length()));
                } else if (line.startsWith("revoked ")) {
                    String[] f = line.split("\\s+");
                    if (f.length != 5) {
                        throw new IllegalArgumentException("expected: revoked <serial> <device> <instant> <reason>");
                    }
                    entries.add(
                            new CrlEntry(new BigInteger(f[1], 16), f[2], Instant.parse(f[3]), CrlReason.parse(f[4])));
                } else {
                    throw new IllegalArgumentException("unknown line");
                }
            } catch (IllegalArgumentException | DateTimeParseException e) {
                throw new IOException(file + " line " + lineNumber + ": " + e.getMessage() + ": '" + line + "'", e);
            }
        }
        return new CrlLedger(number, entries);
    }

    /** The number of the last CRL issued; 0 before the first. */
    public BigInteger crlNumber() {
        return crlNumber;
    }

    public List<CrlEntry> entries() {
        return entries;
    }

    /** The entry that revoked {@code serial}, if any. */
    public Optional<CrlEntry> find(BigInteger serial) {
        return entries.stream().filter(e -> e.serial().equals(serial)).findFirst();
    }

    /** This ledger with {@code entry} added (unless its serial is already revoked) and the next CRL number. */
    public CrlLedger next(Optional<CrlEntry> entry) {
        List<CrlEntry> more = new ArrayList<>(entries);
        entry.filter(e -> find(e.serial()).isEmpty()).ifPresent(more::add);
        return new CrlLedger(crlNumber.add(BigInteger.ONE), more);
    }

    public String text() {
        StringBuilder out = new StringBuilder()
                .append("# Device certificates revoked by this fleet CA, written by `doorbell revoke`.\n")
                .append("# The CRL made from it is uplink/")
                .append(CrlPublisher.CRL_FILE)
                .append(".\n")
                .append("crl-number=")
                .append(crlNumber)
                .append('\n');
        for (CrlEntry e : entries) {
            out.append("revoked ")
                    .append(e.serial().toString(16))
                    .append(' ')
                    .append(e.deviceId())
                    .append(' ')
                    .append(e.revokedAt())
                    .append(' ')
                    .append(e.reason().optionName())
                    .append('\n');
        }
        return out.toString();
    }
}
