package io.dcloud.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for one DCloud cluster: a CA certificate (the trust store's only
 * entry) and one node certificate it signed (the key store's), which every node of the cluster
 * shares. The CA's private key is never written: nothing else can ever be signed by it, so the only
 * way into the cluster is a copy of this key store. A real cluster uses its own CA instead (README).
 *
 * <p>EC P-256 keys: made in milliseconds, and TLS 1.3 (Pekko's default protocol) takes any key type.
 */
final class DevCertificates {
  static final String NODE_ALIAS = "dcloud-node";
  static final String CA_ALIAS = "dcloud-ca";
  private static final Duration VALIDITY = Duration.ofDays(10 * 365);
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private DevCertificates() {}

  /** Writes a new CA's PKCS#12 trust store and a node's key store (mode 600 both), {@code password} on each. */
  static void write(Path keyStore, Path trustStore, char[] password) throws IOException, GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    KeyPair ca = generator.generateKeyPair();
    KeyPair node = generator.generateKeyPair();
    String id = HexFormat.of().formatHex(RANDOM.generateSeed(4));
    X500Name caName = new X500Name("CN=DCloud cluster CA " + id);
    X509Certificate caCertificate = sign(caName, caName, ca.getPublic(), ca.getPrivate(), true);
    X509Certificate nodeCertificate =
        sign(caName, new X500Name("CN=DCloud node " + id), node.getPublic(), ca.getPrivate(), false);

    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(NODE_ALIAS, node.getPrivate(), password, new Certificate[] {nodeCertificate, caCertificate});
    store(keys, keyStore, password);

    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry(CA_ALIAS, caCertificate);
    store(trusted, trustStore, password);
  }

  private static X509Certificate sign(X500Name issuer, X500Name subject, PublicKey key, PrivateKey issuerKey, boolean isCa)
      throws GeneralSecurityException, CertIOException {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        issuer, new BigInteger(64, RANDOM), Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)),
        subject, key);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (isCa) {
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } else {
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      // Each node is a TLS server to some peers and a client to others.
      builder.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    }
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign with " + SIGNATURE, e);
    }
  }

  private static void store(KeyStore store, Path file, char[] password) throws IOException, GeneralSecurityException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password);
    }
  }
}
