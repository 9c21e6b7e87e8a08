import FanoutCoordinator
import FanoutTestSupport
import FanoutProtocol
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@Suite("Mutual TLS")
struct MutualTLSTests {
    /// Certificates from `certs init` for a DNS name and an IP address, and a second, unrelated cluster.
    final class Clusters: Sendable {
        let directory: TemporaryDirectory
        let cluster: CertificateDirectory
        let stranger: CertificateDirectory

        init() throws {
            self.directory = try TemporaryDirectory()
            self.cluster = CertificateDirectory(path: self.directory.file("cluster"))
            self.stranger = CertificateDirectory(path: self.directory.file("stranger"))
            try self.cluster.initialize(hosts: [.name("localhost"), WorkerHost("127.0.0.1")!])
            try self.stranger.initialize(hosts: [.name("localhost")])
        }

        func serverContext(for host: String) throws -> NIOSSLContext {
            try MutualTLS.makeServerContext(files: self.cluster.workerFiles(for: WorkerHost(host)!))
        }

        var clientContext: NIOSSLContext {
            get throws { try MutualTLS.makeClientContext(files: self.cluster.coordinatorFiles) }
        }
    }

    /// Runs one exchange against a server for `serverHost`'s certificate; returns both sides' outcomes.
    static func exchange(
        serverHost: String,
        connectAs host: String,
        clusters: Clusters,
        clientContext: NIOSSLContext? = nil
    ) async throws -> (client: Result<Message?, any Error>, server: Result<Message, any Error>?) {
        let server = try await TLSTestServer.start(context: clusters.serverContext(for: serverHost))
        let context = try clientContext ?? clusters.clientContext
        return try await withThrowingTaskGroup { group in
            group.addTask { try await server.run() }
            let client: Result<Message?, any Error>
            do {
                client = .success(try await TLSTestClient.exchangeHello(port: server.port, host: host, context: context))
            } catch {
                client = .failure(error)
            }
            var outcomes = server.outcomes.makeAsyncIterator()
            let serverOutcome = await outcomes.next()
            try await server.channel.channel.close()
            group.cancelAll()
            return (client, serverOutcome)
        }
    }

    @Test("certificates from certs init connect by DNS name and exchange a frame")
    func connectsByName() async throws {
        let clusters = try Clusters()
        let (client, server) = try await Self.exchange(serverHost: "localhost", connectAs: "localhost", clusters: clusters)
        #expect(try client.get() == .hello(TLSTestServer.workerHello))
        guard case .hello(let hello)? = try server?.get() else {
            Issue.record("server did not receive a hello")
            return
        }
        #expect(hello.role == .coordinator)
    }

    @Test("an IP address is checked against the certificate's IP SANs")
    func connectsByAddress() async throws {
        let clusters = try Clusters()
        let (client, _) = try await Self.exchange(serverHost: "127.0.0.1", connectAs: "127.0.0.1", clusters: clusters)
        #expect(try client.get() == .hello(TLSTestServer.workerHello))

        let (refused, _) = try await Self.exchange(serverHost: "localhost", connectAs: "127.0.0.1", clusters: clusters)
        let error = try #require(Self.failure(refused))
        #expect(String(describing: error).contains("failedToValidateHostname"), "\(error)")
    }

    @Test("a host name not in the certificate's SANs is refused by the coordinator")
    func wrongHostName() async throws {
        let clusters = try Clusters()
        let (client, _) = try await Self.exchange(serverHost: "localhost", connectAs: "other.example", clusters: clusters)
        let error = try #require(Self.failure(client))
        #expect(String(describing: error).contains("failedToValidateHostname"), "\(error)")
        #expect(String(describing: error).contains("other.example"), "\(error)")
    }

    @Test("a client without a certificate is refused by the worker")
    func noClientCertificate() async throws {
        let clusters = try Clusters()
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv13
        configuration.trustRoots = .file(clusters.cluster.coordinatorFiles.certificateAuthority)
        let (client, server) = try await Self.exchange(
            serverHost: "localhost",
            connectAs: "localhost",
            clusters: clusters,
            clientContext: try NIOSSLContext(configuration: configuration)
        )
        let clientError = try #require(Self.failure(client))
        #expect(String(describing: clientError).contains("CERTIFICATE_REQUIRED"), "\(clientError)")
        let serverError = try #require(server.flatMap(Self.failure))
        #expect(String(describing: serverError).contains("PEER_DID_NOT_RETURN_A_CERTIFICATE"), "\(serverError)")
    }

    @Test("a client certificate from another CA is refused by the worker")
    func foreignClientCertificate() async throws {
        let clusters = try Clusters()
        let foreign = clusters.stranger.coordinatorFiles
        let files = TLSFiles(
            certificateAuthority: clusters.cluster.coordinatorFiles.certificateAuthority,
            certificate: foreign.certificate,
            privateKey: foreign.privateKey
        )
        let (client, server) = try await Self.exchange(
            serverHost: "localhost",
            connectAs: "localhost",
            clusters: clusters,
            clientContext: try MutualTLS.makeClientContext(files: files)
        )
        let clientError = try #require(Self.failure(client))
        #expect(String(describing: clientError).contains("UNKNOWN_CA"), "\(clientError)")
        let serverError = try #require(server.flatMap(Self.failure))
        #expect(String(describing: serverError).contains("CERTIFICATE_VERIFY_FAILED"), "\(serverError)")
    }

    @Test("a worker certificate from another CA is refused by the coordinator")
    func foreignServerCertificate() async throws {
        let clusters = try Clusters()
        let server = try await TLSTestServer.start(
            context: MutualTLS.makeServerContext(files: clusters.stranger.workerFiles(for: .name("localhost")))
        )
        async let serving: Void = server.run()
        let error = await #expect(throws: (any Error).self) {
            _ = try await TLSTestClient.exchangeHello(port: server.port, host: "localhost", context: try clusters.clientContext)
        }
        #expect(String(describing: error).contains("CERTIFICATE_VERIFY_FAILED"), "\(String(describing: error))")
        try await server.channel.channel.close()
        try await serving
    }

    @Test("a client limited to TLS 1.2 is refused")
    func tls12Client() async throws {
        let clusters = try Clusters()
        let files = clusters.cluster.coordinatorFiles
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.maximumTLSVersion = .tlsv12
        configuration.trustRoots = .file(files.certificateAuthority)
        configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(files.certificate).map { .certificate($0) }
        configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: files.privateKey, format: .pem))
        let (client, server) = try await Self.exchange(
            serverHost: "localhost",
            connectAs: "localhost",
            clusters: clusters,
            clientContext: try NIOSSLContext(configuration: configuration)
        )
        let clientError = try #require(Self.failure(client))
        #expect(String(describing: clientError).contains("PROTOCOL_VERSION"), "\(clientError)")
        let serverError = try #require(server.flatMap(Self.failure))
        #expect(String(describing: serverError).contains("UNSUPPORTED_PROTOCOL"), "\(serverError)")
    }

    @Test("missing or mismatched TLS files name the file")
    func badFiles() throws {
        let clusters = try Clusters()
        let files = clusters.cluster.coordinatorFiles
        var missing = files
        missing.certificate = clusters.directory.file("nope.pem")
        let missingError = try #require(throws: TLSSetupError.self) { try MutualTLS.makeClientContext(files: missing) }
        #expect(missingError.code == .unreadableFile && missingError.message.contains("nope.pem"))

        var mismatched = files
        mismatched.privateKey = clusters.cluster.workerFiles(for: .name("localhost")).privateKey
        let mismatchError = try #require(throws: TLSSetupError.self) {
            try MutualTLS.makeClientContext(files: mismatched)
        }
        #expect(mismatchError.code == .mismatched && mismatchError.message.contains("worker-key.pem"), "\(mismatchError)")
    }

    static func failure<Success>(_ result: Result<Success, any Error>) -> (any Error)? {
        if case .failure(let error) = result { return error }
        return nil
    }
}
