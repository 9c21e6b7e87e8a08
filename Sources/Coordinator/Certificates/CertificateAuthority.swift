import Crypto
import Foundation
import SwiftASN1
import X509

/// The cluster's certificate authority: it signs a server certificate for each worker host and a client
/// certificate for the coordinator, all ECDSA P-256.
public struct CertificateAuthority: Sendable {
    public let issued: IssuedCertificate

    public var certificate: Certificate { self.issued.certificate }

    /// How long the CA certificate is valid.
    public static let authorityValidity: TimeInterval = 10 * 365 * 24 * 3600
    /// How long worker and coordinator certificates are valid.
    public static let leafValidity: TimeInterval = 2 * 365 * 24 * 3600
    /// Certificates start this much before now, so a peer whose clock is a little behind accepts them.
    static let clockSkewAllowance: TimeInterval = 3600

    /// A new CA with a fresh key.
    public static func create(commonName: String = "Fanout cluster CA", now: Date = Date()) throws -> CertificateAuthority {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName {
            OrganizationName("Fanout")
            CommonName(commonName)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: now - Self.clockSkewAllowance,
            notValidAfter: now + Self.authorityValidity,
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
            },
            issuerPrivateKey: key
        )
        return CertificateAuthority(issued: IssuedCertificate(certificate: certificate, privateKey: key))
    }

    /// A CA read back from its PEM files; fails when the key does not belong to the certificate.
    public init(certificatePEM: String, privateKeyPEM: String) throws {
        let certificate = try Certificate(pemEncoded: certificatePEM)
        let key = try Certificate.PrivateKey(pemEncoded: privateKeyPEM)
        guard key.publicKey == certificate.publicKey else {
            throw ClusterError(.invalidCertificates, "the CA private key does not belong to the CA certificate")
        }
        guard let constraints = try certificate.extensions.basicConstraints,
            case .isCertificateAuthority = constraints
        else {
            throw ClusterError(.invalidCertificates, "the CA certificate is not marked as a certificate authority")
        }
        self.issued = IssuedCertificate(certificate: certificate, privateKey: key)
    }

    private init(issued: IssuedCertificate) {
        self.issued = issued
    }

    /// A server certificate for a worker, naming `host` in its subject alternative names.
    public func issueWorkerCertificate(for host: WorkerHost, now: Date = Date()) throws -> IssuedCertificate {
        let alternativeName: GeneralName
        switch host {
        case .name(let name):
            alternativeName = .dnsName(name)
        case .ipv4(let bytes), .ipv6(let bytes):
            alternativeName = .ipAddress(ASN1OctetString(contentBytes: bytes[...]))
        }
        return try self.issue(
            commonName: host.description,
            usage: .serverAuth,
            alternativeNames: [alternativeName],
            now: now
        )
    }

    /// A client certificate for the coordinator.
    public func issueCoordinatorCertificate(commonName: String = "fanout-coordinator", now: Date = Date()) throws
        -> IssuedCertificate
    {
        try self.issue(commonName: commonName, usage: .clientAuth, alternativeNames: [], now: now)
    }

    private func issue(
        commonName: String,
        usage: ExtendedKeyUsage.Usage,
        alternativeNames: [GeneralName],
        now: Date
    ) throws -> IssuedCertificate {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let authorityKeyID = try self.certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: now - Self.clockSkewAllowance,
            notValidAfter: min(now + Self.leafValidity, self.certificate.notValidAfter),
            issuer: self.certificate.subject,
            subject: try DistinguishedName {
                OrganizationName("Fanout")
                CommonName(commonName)
            },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([usage])
                SubjectKeyIdentifier(hash: key.publicKey)
                AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
                if !alternativeNames.isEmpty {
                    SubjectAlternativeNames(alternativeNames)
                }
            },
            issuerPrivateKey: self.issued.privateKey
        )
        return IssuedCertificate(certificate: certificate, privateKey: key)
    }
}
