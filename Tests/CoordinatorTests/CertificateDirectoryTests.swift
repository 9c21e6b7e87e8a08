import FanoutCoordinator
import FanoutTestSupport
import FanoutProtocol
import Foundation
import SwiftASN1
import Testing
import X509

@Suite("certs init")
struct CertificateDirectoryTests {
    static let hosts: [WorkerHost] = [.name("worker-1.example"), WorkerHost("10.0.0.7")!, WorkerHost("fd00::7")!]

    @Test("writes the CA, the coordinator's files and a folder per host, keys at 0600")
    func writesLayout() throws {
        let temporary = try TemporaryDirectory()
        let directory = CertificateDirectory(path: temporary.file("certs"))
        let changes = try directory.initialize(hosts: Self.hosts)
        #expect(changes.allSatisfy { if case .created = $0 { true } else { false } })
        #expect(changes.count == 2 + Self.hosts.count)

        let root = temporary.file("certs")
        for (name, mode) in [
            ("ca.pem", 0o644), ("ca-key.pem", 0o600), ("coordinator.pem", 0o644), ("coordinator-key.pem", 0o600),
            ("worker-1.example/ca.pem", 0o644), ("worker-1.example/worker.pem", 0o644),
            ("worker-1.example/worker-key.pem", 0o600), ("10.0.0.7/worker-key.pem", 0o600),
            ("fd00::7/worker.pem", 0o644),
        ] {
            #expect(try Self.mode(root + "/" + name) == mode, "\(name)")
        }
        #expect(try Self.mode(root) == 0o700)
        #expect(try Self.mode(root + "/10.0.0.7") == 0o700)
    }

    @Test("worker certificates name their host, chain to the CA and serve; the coordinator's is a client")
    func certificateContents() throws {
        let temporary = try TemporaryDirectory()
        let directory = CertificateDirectory(path: temporary.path)
        try directory.initialize(hosts: Self.hosts)
        let authority = try Self.certificate(directory.coordinatorFiles.certificateAuthority)
        #expect(try authority.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))

        let expectedNames: [GeneralName] = [
            .dnsName("worker-1.example"),
            .ipAddress(ASN1OctetString(contentBytes: [10, 0, 0, 7])),
            .ipAddress(ASN1OctetString(contentBytes: [0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7])),
        ]
        for (host, name) in zip(Self.hosts, expectedNames) {
            let files = directory.workerFiles(for: host)
            let certificate = try Self.certificate(files.certificate)
            #expect(try certificate.extensions.subjectAlternativeNames.map(Array.init) == [name])
            #expect(try certificate.extensions.extendedKeyUsage.map(Array.init) == [.serverAuth])
            #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
            #expect(certificate.issuer == authority.subject)
            #expect(authority.publicKey.isValidSignature(certificate.signature, for: certificate))
            #expect(try Self.certificate(files.certificateAuthority) == authority)
        }
        let coordinator = try Self.certificate(directory.coordinatorFiles.certificate)
        #expect(try coordinator.extensions.extendedKeyUsage.map(Array.init) == [.clientAuth])
        #expect(authority.publicKey.isValidSignature(coordinator.signature, for: coordinator))
    }

    @Test("running again keeps the CA and existing hosts, and adds new hosts with the same CA")
    func rerunAddsHosts() throws {
        let temporary = try TemporaryDirectory()
        let directory = CertificateDirectory(path: temporary.path)
        try directory.initialize(hosts: [Self.hosts[0]])
        let authorityBefore = try String(contentsOfFile: temporary.file("ca.pem"), encoding: .utf8)
        let firstHostBefore = try String(contentsOfFile: directory.workerFiles(for: Self.hosts[0]).certificate, encoding: .utf8)

        let changes = try directory.initialize(hosts: Self.hosts)
        #expect(changes[0] == .kept("cluster CA", path: temporary.file("ca.pem")))
        #expect(changes[1] == .kept("coordinator certificate", path: temporary.file("coordinator.pem")))
        #expect(changes[2] == .kept("worker certificate for worker-1.example", path: temporary.file("worker-1.example")))
        #expect(changes[3] == .created("worker certificate for 10.0.0.7", path: temporary.file("10.0.0.7")))
        #expect(try String(contentsOfFile: temporary.file("ca.pem"), encoding: .utf8) == authorityBefore)
        #expect(
            try String(contentsOfFile: directory.workerFiles(for: Self.hosts[0]).certificate, encoding: .utf8)
                == firstHostBefore
        )
        let authority = try Self.certificate(temporary.file("ca.pem"))
        let added = try Self.certificate(directory.workerFiles(for: Self.hosts[1]).certificate)
        #expect(authority.publicKey.isValidSignature(added.signature, for: added))
    }

    @Test("a host folder missing its key, or signed by another CA, is issued again")
    func repairsIncompleteFolders() throws {
        let temporary = try TemporaryDirectory()
        let directory = CertificateDirectory(path: temporary.file("a"))
        try directory.initialize(hosts: Self.hosts)
        try FileManager.default.removeItem(atPath: directory.workerFiles(for: Self.hosts[0]).privateKey)
        let other = CertificateDirectory(path: temporary.file("b"))
        try other.initialize(hosts: Self.hosts)
        let foreign = other.workerFiles(for: Self.hosts[1])
        let target = directory.workerFiles(for: Self.hosts[1])
        try FileManager.default.removeItem(atPath: target.certificate)
        try FileManager.default.copyItem(atPath: foreign.certificate, toPath: target.certificate)

        let changes = try directory.initialize(hosts: Self.hosts)
        #expect(changes[2] == .created("worker certificate for worker-1.example", path: temporary.file("a/worker-1.example")))
        #expect(changes[3] == .created("worker certificate for 10.0.0.7", path: temporary.file("a/10.0.0.7")))
        #expect(changes[4] == .kept("worker certificate for fd00::7", path: temporary.file("a/fd00::7")))
    }

    @Test("a lone CA certificate or key is refused unless forced; force makes a new CA")
    func partialAuthority() throws {
        let temporary = try TemporaryDirectory()
        let directory = CertificateDirectory(path: temporary.path)
        try directory.initialize(hosts: Self.hosts)
        let before = try String(contentsOfFile: temporary.file("ca.pem"), encoding: .utf8)
        try FileManager.default.removeItem(atPath: temporary.file("ca-key.pem"))

        let error = try #require(throws: ClusterError.self) {
            try directory.initialize(hosts: Self.hosts)
        }
        #expect(error.code == .invalidCertificates)
        #expect(error.message.contains("ca-key.pem"))
        #expect(error.message.contains("--force"))
        #expect(try String(contentsOfFile: temporary.file("ca.pem"), encoding: .utf8) == before)

        let changes = try directory.initialize(hosts: Self.hosts, force: true)
        #expect(changes.allSatisfy { if case .created = $0 { true } else { false } })
        #expect(try String(contentsOfFile: temporary.file("ca.pem"), encoding: .utf8) != before)
    }

    @Test("force replaces a complete CA and every certificate")
    func forceReplaces() throws {
        let temporary = try TemporaryDirectory()
        let directory = CertificateDirectory(path: temporary.path)
        try directory.initialize(hosts: Self.hosts)
        let before = try Self.certificate(temporary.file("ca.pem"))
        try directory.initialize(hosts: Self.hosts, force: true)
        let after = try Self.certificate(temporary.file("ca.pem"))
        #expect(before != after)
        let worker = try Self.certificate(directory.workerFiles(for: Self.hosts[2]).certificate)
        #expect(after.publicKey.isValidSignature(worker.signature, for: worker))
    }

    @Test("a CA key that does not belong to the CA certificate is refused")
    func mismatchedAuthorityKey() throws {
        let temporary = try TemporaryDirectory()
        try CertificateDirectory(path: temporary.file("a")).initialize(hosts: [])
        try CertificateDirectory(path: temporary.file("b")).initialize(hosts: [])
        try FileManager.default.removeItem(atPath: temporary.file("a/ca-key.pem"))
        try FileManager.default.copyItem(atPath: temporary.file("b/ca-key.pem"), toPath: temporary.file("a/ca-key.pem"))
        let error = try #require(throws: ClusterError.self) {
            try CertificateDirectory(path: temporary.file("a")).initialize(hosts: [])
        }
        #expect(error.code == .invalidCertificates)
        #expect(error.message.contains("does not belong"))
    }

    static func certificate(_ path: String) throws -> Certificate {
        try Certificate(pemEncoded: String(contentsOfFile: path, encoding: .utf8))
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as! NSNumber).intValue
    }
}
