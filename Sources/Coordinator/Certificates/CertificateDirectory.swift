import FanoutProtocol
import Foundation
import X509

/// The folder `coordinator certs init` fills: the cluster CA, the coordinator's client certificate, and one
/// folder per worker host holding exactly what that host's `worker --tls-dir` reads.
///
/// ```
/// DIR/ca.pem  DIR/ca-key.pem  DIR/coordinator.pem  DIR/coordinator-key.pem
/// DIR/HOST/ca.pem  DIR/HOST/worker.pem  DIR/HOST/worker-key.pem
/// ```
/// Private keys are written with mode 0600, certificates with 0644, folders with 0700.
public struct CertificateDirectory: Sendable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    /// One thing `initialize` did.
    public enum Change: Hashable, Sendable, CustomStringConvertible {
        case created(String, path: String)
        case kept(String, path: String)

        public var description: String {
            switch self {
            case .created(let what, let path): "created \(what): \(path)"
            case .kept(let what, let path): "kept \(what): \(path)"
            }
        }
    }

    /// The files the coordinator reads.
    public var coordinatorFiles: TLSFiles { TLSFiles.coordinator(directory: self.path) }

    /// The folder for `host`, to copy to that host.
    public func hostDirectory(for host: WorkerHost) -> String {
        Self.join(self.path, host.description)
    }

    /// The files the worker on `host` reads.
    public func workerFiles(for host: WorkerHost) -> TLSFiles {
        TLSFiles.worker(directory: self.hostDirectory(for: host))
    }

    /// Makes whatever is missing: the CA (kept when it exists, unless `force`), the coordinator's certificate,
    /// and a certificate folder for every host. With `force`, a new CA and every certificate are made anew.
    @discardableResult
    public func initialize(hosts: [WorkerHost], force: Bool = false, now: Date = Date()) throws -> [Change] {
        var changes: [Change] = []
        try LocalFile.makeDirectory(self.path, mode: 0o700)

        let authorityPath = self.file(TLSFiles.FileName.certificateAuthority)
        let authorityKeyPath = self.file(TLSFiles.FileName.certificateAuthorityKey)
        let authority: CertificateAuthority
        let reissueAll: Bool
        switch (LocalFile.exists(authorityPath), LocalFile.exists(authorityKeyPath), force) {
        case (true, true, false):
            authority = try self.loadAuthority(certificate: authorityPath, key: authorityKeyPath)
            reissueAll = false
            changes.append(.kept("cluster CA", path: authorityPath))
        case (false, false, _), (_, _, true):
            authority = try CertificateAuthority.create(now: now)
            try Self.write(authority.issued, certificate: authorityPath, key: authorityKeyPath)
            reissueAll = true
            changes.append(.created("cluster CA", path: authorityPath))
        case (let hasCertificate, _, false):
            let (present, missing) = hasCertificate ? (authorityPath, authorityKeyPath) : (authorityKeyPath, authorityPath)
            throw ClusterError(
                .invalidCertificates,
                "found \(present) but not \(missing); restore it, or pass --force to make a new CA"
                    + " (every certificate it signed must then be replaced)"
            )
        }
        let authorityPEM = try authority.issued.certificatePEM

        let coordinator = self.coordinatorFiles
        if reissueAll || !self.isComplete(coordinator, signedBy: authority) {
            try Self.write(
                try authority.issueCoordinatorCertificate(now: now),
                certificate: coordinator.certificate,
                key: coordinator.privateKey
            )
            changes.append(.created("coordinator certificate", path: coordinator.certificate))
        } else {
            changes.append(.kept("coordinator certificate", path: coordinator.certificate))
        }

        var seen = Set<WorkerHost>()
        for host in hosts where seen.insert(host).inserted {
            let folder = self.hostDirectory(for: host)
            let files = self.workerFiles(for: host)
            try LocalFile.makeDirectory(folder, mode: 0o700)
            if reissueAll || !self.isComplete(files, signedBy: authority) {
                try LocalFile.write(files.certificateAuthority, contents: authorityPEM, mode: 0o644)
                try Self.write(
                    try authority.issueWorkerCertificate(for: host, now: now),
                    certificate: files.certificate,
                    key: files.privateKey
                )
                changes.append(.created("worker certificate for \(host)", path: folder))
            } else {
                changes.append(.kept("worker certificate for \(host)", path: folder))
            }
        }
        return changes
    }

    private func file(_ name: String) -> String {
        Self.join(self.path, name)
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private func loadAuthority(certificate: String, key: String) throws -> CertificateAuthority {
        do {
            return try CertificateAuthority(
                certificatePEM: String(decoding: try LocalFile.read(certificate), as: UTF8.self),
                privateKeyPEM: String(decoding: try LocalFile.read(key), as: UTF8.self)
            )
        } catch {
            throw ClusterError(.invalidCertificates, "cannot use the CA in \(certificate) and \(key): \(error)")
        }
    }

    /// Whether all three files exist, the CA copy is this CA, and the certificate was signed by it.
    private func isComplete(_ files: TLSFiles, signedBy authority: CertificateAuthority) -> Bool {
        guard LocalFile.exists(files.privateKey),
            let authorityBytes = try? LocalFile.read(files.certificateAuthority),
            let authorityCopy = try? Certificate(pemEncoded: String(decoding: authorityBytes, as: UTF8.self)),
            authorityCopy == authority.certificate,
            let bytes = try? LocalFile.read(files.certificate),
            let certificate = try? Certificate(pemEncoded: String(decoding: bytes, as: UTF8.self))
        else { return false }
        return certificate.issuer == authority.certificate.subject
            && authority.certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
    }

    private static func write(_ issued: IssuedCertificate, certificate: String, key: String) throws {
        try LocalFile.write(key, contents: try issued.privateKeyPEM, mode: 0o600)
        try LocalFile.write(certificate, contents: try issued.certificatePEM, mode: 0o644)
    }
}
