import FanoutCoordinator
import FanoutProtocol
import NIOSSL

/// Certificates from `certs init` for 127.0.0.1 and localhost, in a temporary folder.
public final class TestCluster: Sendable {
    public let directory: TemporaryDirectory
    public let certificates: CertificateDirectory

    public init() throws {
        self.directory = try TemporaryDirectory()
        self.certificates = CertificateDirectory(path: self.directory.file("certs"))
        try self.certificates.initialize(hosts: [WorkerHost("127.0.0.1")!, .name("localhost")])
    }

    public var workerFiles: TLSFiles { self.certificates.workerFiles(for: WorkerHost("127.0.0.1")!) }

    public func clientContext() throws -> NIOSSLContext {
        try MutualTLS.makeClientContext(files: self.certificates.coordinatorFiles)
    }
}
