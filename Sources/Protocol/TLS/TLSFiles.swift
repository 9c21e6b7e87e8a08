/// Where one side's PEM files for mutual TLS live: the cluster CA, its own certificate, and its private key.
public struct TLSFiles: Hashable, Sendable {
    public var certificateAuthority: String
    public var certificate: String
    public var privateKey: String

    public init(certificateAuthority: String, certificate: String, privateKey: String) {
        self.certificateAuthority = certificateAuthority
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// File names inside a TLS directory, as `coordinator certs init` writes them.
    public enum FileName {
        public static let certificateAuthority = "ca.pem"
        public static let certificateAuthorityKey = "ca-key.pem"
        public static let coordinatorCertificate = "coordinator.pem"
        public static let coordinatorKey = "coordinator-key.pem"
        public static let workerCertificate = "worker.pem"
        public static let workerKey = "worker-key.pem"
    }

    /// A coordinator's files in `directory`: `ca.pem`, `coordinator.pem`, `coordinator-key.pem`.
    public static func coordinator(directory: String) -> TLSFiles {
        TLSFiles(
            certificateAuthority: Self.join(directory, FileName.certificateAuthority),
            certificate: Self.join(directory, FileName.coordinatorCertificate),
            privateKey: Self.join(directory, FileName.coordinatorKey)
        )
    }

    /// A worker's files in `directory`: `ca.pem`, `worker.pem`, `worker-key.pem`.
    public static func worker(directory: String) -> TLSFiles {
        TLSFiles(
            certificateAuthority: Self.join(directory, FileName.certificateAuthority),
            certificate: Self.join(directory, FileName.workerCertificate),
            privateKey: Self.join(directory, FileName.workerKey)
        )
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
