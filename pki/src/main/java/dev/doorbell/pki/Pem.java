package dev.doorbell.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * PEM in and out. Private keys are written as unencrypted PKCS#8 ("BEGIN PRIVATE KEY"), the one form that Netty's
 * {@code SslContextBuilder} reads with the JDK alone; the uplink has no BouncyCastle to read anything else.
 */
public final class Pem {
    private Pem() {}

    public static String certificate(X509Certificate certificate) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(certificate);
        }
        return out.toString();
    }

    /** A revocation list as PEM "X509 CRL", the form the uplink reads. */
    public static String crl(X509CRL crl) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(crl);
        }
        return out.toString();
    }

    public static String privateKey(PrivateKey key) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new JcaPKCS8Generator(key, null));
        }
        return out.toString();
    }

    /** Reads the first certificate of a PEM file; fails naming the file if there is none. */
    public static X509Certificate readCertificate(Path file) throws IOException {
        Object object = readFirst(file);
        if (!(object instanceof X509CertificateHolder holder)) {
            throw new IOException(file + ": expected a PEM certificate (BEGIN CERTIFICATE)");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new IOException(file + ": unreadable certificate: " + e.getMessage(), e);
        }
    }

    /** Reads a PKCS#8 private key; fails naming the file (never quoting it) if it holds anything else. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        Object object = readFirst(file);
        if (!(object instanceof PrivateKeyInfo info)) {
            throw new IOException(file + ": expected an unencrypted PKCS#8 private key (BEGIN PRIVATE KEY)");
        }
        return new JcaPEMKeyConverter().getPrivateKey(info);
    }

    private static Object readFirst(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            if (object == null) {
                throw new IOException(file + ": no PEM object found");
            }
            return object;
        }
    }
}
