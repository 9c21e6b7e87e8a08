import ArgumentParser
import FanoutCoordinator

extension CoordinatorCommand {
    struct Certs: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make and manage the cluster's TLS certificates.",
            subcommands: [Init.self]
        )
    }
}

extension CoordinatorCommand.Certs {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a cluster CA, a coordinator certificate, and a certificate folder for every host.",
            discussion: """
                Writes OUT/ca.pem, OUT/ca-key.pem, OUT/coordinator.pem, OUT/coordinator-key.pem, and for each \
                host in the hosts file OUT/HOST/{ca.pem,worker.pem,worker-key.pem}, the folder to copy to that \
                host for `worker --tls-dir`. Running it again keeps the CA and every certificate that is still \
                complete, and adds folders for new hosts.
                """
        )

        @Option(name: .long, help: "The hosts file: one worker per line, host[:port] [slots=N].")
        var hosts: String

        @Option(name: .long, help: "The folder to write into.")
        var out: String = "certs"

        @Flag(name: .long, help: "Replace an existing CA and reissue every certificate.")
        var force = false

        func run() throws {
            let hostsFile = try HostsFile.load(path: self.hosts)
            let directory = CertificateDirectory(path: self.out)
            let changes = try directory.initialize(hosts: hostsFile.workers.map(\.host), force: self.force)
            for change in changes {
                print(change)
            }
        }
    }
}
