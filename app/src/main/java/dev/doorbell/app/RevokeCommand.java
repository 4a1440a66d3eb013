package dev.doorbell.app;

import dev.doorbell.cli.CliErrors;
import dev.doorbell.cli.DurationConverter;
import dev.doorbell.pki.CrlPublisher;
import dev.doorbell.pki.CrlPublisher.Revocation;
import dev.doorbell.pki.CrlReason;
import dev.doorbell.pki.ProvisionException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code doorbell revoke}: puts a device's certificate on the fleet CA's revocation list. */
@Command(
        name = "revoke",
        mixinStandardHelpOptions = true,
        description = {
            "Revokes a device's certificate: records it in ca/revoked.txt and writes a new CRL signed by the "
                    + "fleet CA to uplink/crl.pem.",
            "The uplink takes the new CRL within seconds, without a restart, and refuses the device with "
                    + "CERTIFICATE_REVOKED, also on a connection that is open. Revoking a revoked device renews the CRL."
        })
public final class RevokeCommand implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_REFUSED = CliErrors.EXIT_USAGE;

    @Spec
    private CommandSpec spec;

    @Option(
            names = "--fleet-dir",
            required = true,
            paramLabel = "DIR",
            description = "fleet directory made by provision")
    private Path fleet;

    @Option(names = "--device", required = true, paramLabel = "ID", description = "device whose certificate to revoke")
    private String deviceId;

    @Option(
            names = "--reason",
            paramLabel = "REASON",
            defaultValue = "key-compromise",
            description = "key-compromise, superseded, cessation-of-operation, affiliation-changed or unspecified "
                    + "(default: ${DEFAULT-VALUE})")
    private String reason;

    @Option(
            names = "--crl-validity",
            paramLabel = "DURATION",
            defaultValue = "30d",
            converter = DurationConverter.class,
            description = "time until the CRL's nextUpdate; revoke again before then to renew it (default: "
                    + "${DEFAULT-VALUE})")
    private Duration crlValidity;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        CrlReason why;
        try {
            why = CrlReason.parse(reason);
        } catch (IllegalArgumentException e) {
            stderr.println("revoke: " + e.getMessage() + "; nothing was written");
            return EXIT_REFUSED;
        }
        if (crlValidity.isZero()) {
            stderr.println("revoke: --crl-validity must be longer than 0s; nothing was written");
            return EXIT_REFUSED;
        }
        try {
            Revocation done =
                    new CrlPublisher(new SecureRandom(), Clock.systemUTC()).revoke(fleet, deviceId, why, crlValidity);
            String serial = done.entry().serial().toString(16);
            if (done.alreadyRevoked()) {
                stdout.printf(
                        "device %s (certificate serial %s) was already revoked on %s (%s); CRL renewed%n",
                        deviceId,
                        serial,
                        done.entry().revokedAt(),
                        done.entry().reason().optionName());
            } else {
                stdout.printf("revoked device %s (certificate serial %s, %s)%n", deviceId, serial, why.optionName());
            }
            stdout.printf(
                    "  CRL number %s, %d revoked, next update %s: %s%n",
                    done.crlNumber(), done.revokedCount(), done.nextUpdate(), done.crlFile());
            stdout.println(
                    "  copy it to the uplink's --tls folder if that is not this one; the uplink reloads it by itself");
            stdout.flush();
            return EXIT_OK;
        } catch (ProvisionException e) {
            stderr.println("revoke: " + CliErrors.message(e));
            return EXIT_REFUSED;
        }
    }
}
