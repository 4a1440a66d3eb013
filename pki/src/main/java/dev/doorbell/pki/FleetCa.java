package dev.doorbell.pki;

import dev.doorbell.proto.DeviceIds;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The fleet CA: a self-signed EC P-256 certificate and its key, which issues the device certificates (client auth,
 * identity in the SAN URI) and the uplink's server certificate. Only {@code provision} ever holds the key. Safe for
 * concurrent issuing: every certificate gets its own signer.
 */
public final class FleetCa {
    static final Duration CA_MIN_VALIDITY = Duration.ofDays(3650);
    /** Certificates start a little in the past, so that a device whose clock is slightly behind accepts them. */
    static final Duration BACKDATE = Duration.ofMinutes(5);

    private final X509Certificate certificate;
    private final PrivateKey key;

    private FleetCa(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** Makes a new CA valid from {@code now} for at least ten years, or {@code leafValidity} if longer. */
    public static FleetCa create(SecureRandom random, Instant now, Duration leafValidity) {
        KeyPair pair = EcKeys.generate(random);
        byte[] fleetTag = new byte[4];
        random.nextBytes(fleetTag);
        X500Name name =
                new X500Name("O=doorbell,CN=doorbell fleet CA " + HexFormat.of().formatHex(fleetTag));
        Duration validity = leafValidity.compareTo(CA_MIN_VALIDITY) > 0 ? leafValidity : CA_MIN_VALIDITY;
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                name,
                serial(random),
                Date.from(now.minus(BACKDATE)),
                Date.from(now.plus(validity)),
                name,
                pair.getPublic());
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(
                    Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the fleet CA certificate", e);
        }
        return new FleetCa(sign(builder, pair.getPrivate(), random), pair.getPrivate());
    }

    /** Loads the CA of an existing fleet (for {@code --add}); checks that the key belongs to the certificate. */
    public static FleetCa load(Path certFile, Path keyFile) throws IOException {
        X509Certificate certificate = Pem.readCertificate(certFile);
        PrivateKey key = Pem.readPrivateKey(keyFile);
        if (!keyMatches(key, certificate.getPublicKey())) {
            throw new IOException(keyFile + " is not the key of the CA certificate " + certFile);
        }
        return new FleetCa(certificate, key);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA key, PEM-encoded; only {@code provision} writes it, to {@code ca/ca-key.pem}. */
    String privateKeyPem() throws IOException {
        return Pem.privateKey(key);
    }

    /** A device certificate: CN and SAN URI name the device; client auth and digital signatures only. */
    public X509Certificate issueDevice(
            String deviceId, PublicKey devicePublicKey, SecureRandom random, Instant now, Duration validity) {
        GeneralNames san =
                new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, DeviceIds.sanUri(deviceId)));
        return issueLeaf(
                "O=doorbell,CN=" + deviceId,
                san,
                KeyPurposeId.id_kp_clientAuth,
                devicePublicKey,
                random,
                now,
                validity);
    }

    /** The uplink's certificate: server auth, for the given DNS names and IP literals. */
    public X509Certificate issueServer(
            ServerNames names, PublicKey serverPublicKey, SecureRandom random, Instant now, Duration validity) {
        List<GeneralName> san = new ArrayList<>();
        names.dns().forEach(dns -> san.add(new GeneralName(GeneralName.dNSName, dns)));
        names.ips().forEach(ip -> san.add(new GeneralName(GeneralName.iPAddress, ip)));
        return issueLeaf(
                "O=doorbell,CN=doorbell uplink",
                new GeneralNames(san.toArray(GeneralName[]::new)),
                KeyPurposeId.id_kp_serverAuth,
                serverPublicKey,
                random,
                now,
                validity);
    }

    private X509Certificate issueLeaf(
            String subject,
            GeneralNames san,
            KeyPurposeId purpose,
            PublicKey publicKey,
            SecureRandom random,
            Instant now,
            Duration validity) {
        // A leaf never outlives its CA: a verifier would refuse the chain from that day on without saying why.
        Instant notAfter = now.plus(validity);
        Instant caNotAfter = certificate.getNotAfter().toInstant();
        // X500Name keeps RDNs in the order written: most significant first, so the DN prints as "CN=...,O=doorbell".
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                certificate,
                serial(random),
                Date.from(now.minus(BACKDATE)),
                Date.from(notAfter.isAfter(caNotAfter) ? caNotAfter : notAfter),
                new X500Name(subject),
                publicKey);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            builder.addExtension(Extension.subjectAlternativeName, false, san);
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey));
            builder.addExtension(
                    Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(certificate));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the certificate for " + subject, e);
        }
        return sign(builder, key, random);
    }

    /**
     * A certificate revocation list (RFC 5280 §5) listing {@code entries}, valid from {@code thisUpdate} to
     * {@code nextUpdate}, with CRL number {@code number} and the CA's key identifier, so that a verifier finds the
     * right key even after a CA renewal.
     */
    public X509CRL issueCrl(
            List<CrlEntry> entries, BigInteger number, Instant thisUpdate, Instant nextUpdate, SecureRandom random) {
        X509v2CRLBuilder builder = new JcaX509v2CRLBuilder(certificate, Date.from(thisUpdate));
        builder.setNextUpdate(Date.from(nextUpdate));
        for (CrlEntry entry : entries) {
            builder.addCRLEntry(
                    entry.serial(), Date.from(entry.revokedAt()), entry.reason().code());
        }
        try {
            builder.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            builder.addExtension(
                    Extension.authorityKeyIdentifier,
                    false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate));
            return new JcaX509CRLConverter().getCRL(builder.build(signer(random).build(key)));
        } catch (CertIOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot sign a revocation list with the fleet CA key", e);
        }
    }

    /** A random positive serial of up to 128 bits (RFC 5280 allows 20 octets; zero is not allowed). */
    private static BigInteger serial(SecureRandom random) {
        BigInteger serial = new BigInteger(128, random);
        return serial.signum() == 0 ? BigInteger.ONE : serial;
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey, SecureRandom random) {
        try {
            // The injected random, not a new default SecureRandom per signature: ECDSA needs a fresh secret per
            // signature.
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(signer(random).build(signingKey)));
        } catch (OperatorCreationException | CertificateException e) {
            throw new IllegalStateException("cannot sign a certificate with the fleet CA key", e);
        }
    }

    /** BouncyCastle's ECDSA: it takes the JDK's keys and signs about four times faster than SunEC. */
    private static JcaContentSignerBuilder signer(SecureRandom random) {
        return new JcaContentSignerBuilder(EcKeys.SIGNATURE_ALGORITHM)
                .setProvider(EcKeys.PROVIDER)
                .setSecureRandom(random);
    }

    private static boolean keyMatches(PrivateKey key, PublicKey publicKey) {
        byte[] probe = "doorbell fleet CA key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(EcKeys.SIGNATURE_ALGORITHM);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(EcKeys.SIGNATURE_ALGORITHM);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Names the CA, never its key. */
    @Override
    public String toString() {
        return "FleetCa{" + certificate.getSubjectX500Principal().getName() + ", private key present}";
    }
}
