import X509

/// A certificate with its private key, as PEM text ready to write.
public struct IssuedCertificate: Sendable {
    public var certificate: Certificate
    public var privateKey: Certificate.PrivateKey

    public var certificatePEM: String {
        get throws { try self.certificate.serializeAsPEM().pemString }
    }

    public var privateKeyPEM: String {
        get throws { try self.privateKey.serializeAsPEM().pemString }
    }
}
