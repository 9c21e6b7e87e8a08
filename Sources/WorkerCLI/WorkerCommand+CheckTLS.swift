import ArgumentParser
import FanoutProtocol

extension WorkerCommand {
    struct CheckTLS: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-tls",
            abstract: "Check that the worker's TLS files load and build a mutual-TLS server context."
        )

        @Option(name: .long, help: "Folder holding ca.pem, worker.pem and worker-key.pem.")
        var tlsDir: String = "certs"

        func run() throws {
            let files = TLSFiles.worker(directory: self.tlsDir)
            _ = try MutualTLS.makeServerContext(files: files)
            print("ok: \(files.certificate) with \(files.privateKey), trusting \(files.certificateAuthority)")
        }
    }
}
