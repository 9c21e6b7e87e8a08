import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOCore
import NIOSSL

/// Builds the TLS contexts both sides use: TLS 1.3 only, each side presenting a certificate chained to the
/// cluster CA and trusting nothing else.
///
/// Build each context once and share it between connections.
public enum MutualTLS {
    /// The worker's context: it demands a client certificate from the cluster CA.
    public static func makeServerContext(files: TLSFiles) throws -> NIOSSLContext {
        let material = try Material(files: files)
        var configuration = TLSConfiguration.makeServerConfigurationWithMTLS(
            certificateChain: material.chain.map { .certificate($0) },
            privateKey: .privateKey(material.key),
            trustRoots: .certificates(material.authorities)
        )
        configuration.minimumTLSVersion = .tlsv13
        return try Self.makeContext(configuration, files: files)
    }

    /// The coordinator's context: it presents its client certificate and verifies the worker's certificate,
    /// chain and name.
    public static func makeClientContext(files: TLSFiles) throws -> NIOSSLContext {
        let material = try Material(files: files)
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv13
        configuration.certificateVerification = .fullVerification
        configuration.trustRoots = .certificates(material.authorities)
        configuration.certificateChain = material.chain.map { .certificate($0) }
        configuration.privateKey = .privateKey(material.key)
        return try Self.makeContext(configuration, files: files)
    }

    /// The client handler for a connection to `host`.
    ///
    /// A DNS name is sent as SNI and checked against the certificate's DNS names. An IP literal cannot be sent
    /// as SNI, so the certificate's IP addresses are checked against the address actually connected to.
    public static func makeClientHandler(context: NIOSSLContext, host: String) throws -> NIOSSLClientHandler {
        let serverHostname = Self.isIPLiteral(host) ? nil : host
        return try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
    }

    static func isIPLiteral(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    private static func makeContext(_ configuration: TLSConfiguration, files: TLSFiles) throws -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSSetupError(
                .mismatched,
                "cannot build a TLS context from \(files.certificate) and \(files.privateKey)"
                    + " (does the key belong to the certificate?): \(error)",
                cause: error
            )
        }
    }

    /// The parsed contents of a ``TLSFiles``.
    private struct Material {
        var authorities: [NIOSSLCertificate]
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey

        init(files: TLSFiles) throws {
            self.authorities = try Self.certificates(at: files.certificateAuthority, role: "CA certificate")
            self.chain = try Self.certificates(at: files.certificate, role: "certificate")
            let bytes = try Self.read(files.privateKey, role: "private key")
            do {
                self.key = try NIOSSLPrivateKey(bytes: bytes, format: .pem)
            } catch {
                throw TLSSetupError(.notPEM, "private key \(files.privateKey) is not a PEM private key: \(error)", cause: error)
            }
        }

        private static func certificates(at path: String, role: String) throws -> [NIOSSLCertificate] {
            let bytes = try Self.read(path, role: role)
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMBytes(bytes)
            } catch {
                throw TLSSetupError(.notPEM, "\(role) \(path) is not PEM: \(error)", cause: error)
            }
            guard !certificates.isEmpty else {
                throw TLSSetupError(.notPEM, "\(role) \(path) holds no certificate")
            }
            return certificates
        }

        private static func read(_ path: String, role: String) throws -> [UInt8] {
            guard let contents = FileManager.default.contents(atPath: path) else {
                let reason = access(path, R_OK) == 0 ? "it cannot be read" : String(cString: strerror(errno))
                throw TLSSetupError(.unreadableFile, "cannot read \(role) \(path): \(reason)")
            }
            return Array(contents)
        }
    }
}
