/// A failed TLS handshake in words, for the side that saw it: what was refused and what to do about it.
///
/// BoringSSL names the failure with a reason code: the alert the peer sent (the coordinator learns that the
/// worker found its certificate expired from `CERTIFICATE_EXPIRED`), or the check that failed here. The code
/// stays at the end of the sentence, to search for.
public enum TLSRefusal {
    /// `error`, raised on the coordinator's side of a connection to a worker, explained; nil if it is not a
    /// TLS failure this knows.
    public static func explainedToCoordinator(_ error: any Error) -> String? {
        self.explain(error, with: self.coordinatorReasons)
    }

    /// `error`, raised on a worker's side of a connection from a client, explained; nil if it is not a TLS
    /// failure this knows.
    public static func explainedToWorker(_ error: any Error) -> String? {
        self.explain(error, with: self.workerReasons)
    }

    private static func explain(_ error: any Error, with reasons: [(code: String, sentence: String)]) -> String? {
        let text = String(describing: error)
        guard let reason = reasons.first(where: { text.contains($0.code) }) else { return nil }
        return "\(reason.sentence) (\(reason.code))"
    }

    private static let coordinatorReasons: [(code: String, sentence: String)] = [
        ("failedToValidateHostname", "the worker's certificate is not made out to the address dialled; make it with `coordinator certs init` for that host name or IP address"),
        ("CERTIFICATE_VERIFY_FAILED", "the worker's certificate does not verify against our CA (ca.pem): it is from another cluster's CA, or has expired, or is not yet valid"),
        ("UNKNOWN_CA", "the worker refused our certificate: it is not signed by the worker's CA; use certificates from the same `certs init` as the workers'"),
        ("CERTIFICATE_EXPIRED", "the worker refused our certificate as expired or not yet valid; make new ones with `coordinator certs init`"),
        ("UNSUPPORTED_CERTIFICATE", "the worker refused our certificate: it is not marked for TLS client authentication"),
        ("CERTIFICATE_REQUIRED", "the worker requires a client certificate, and none was sent"),
        ("BAD_CERTIFICATE", "the worker refused our certificate"),
        ("PROTOCOL_VERSION", "the worker and this coordinator share no TLS version: Fanout speaks TLS 1.3 only"),
        ("UNSUPPORTED_PROTOCOL", "the worker offers no TLS 1.3: Fanout speaks TLS 1.3 only"),
        ("WRONG_VERSION_NUMBER", "the peer does not speak TLS: is it a Fanout worker?"),
    ]

    private static let workerReasons: [(code: String, sentence: String)] = [
        ("PEER_DID_NOT_RETURN_A_CERTIFICATE", "the client sent no certificate: only a coordinator holding a certificate from this cluster's CA may connect"),
        ("CERTIFICATE_VERIFY_FAILED", "the client's certificate was refused: it is not signed by this worker's CA (ca.pem), or has expired, or is not yet valid, or is not marked for client authentication"),
        ("UNSUPPORTED_PROTOCOL", "the client offers no TLS 1.3: Fanout speaks TLS 1.3 only"),
        ("PROTOCOL_VERSION", "the client and this worker share no TLS version: Fanout speaks TLS 1.3 only"),
        ("HTTP_REQUEST", "the client sent plain HTTP to the TLS port"),
        ("WRONG_VERSION_NUMBER", "the client does not speak TLS"),
        ("BAD_CERTIFICATE", "the client refused this worker's certificate: check that the coordinator dials the name or address the certificate is made out to"),
        ("UNKNOWN_CA", "the client does not trust this worker's CA: its certificates come from another `certs init`"),
        ("CERTIFICATE_EXPIRED", "the client refused this worker's certificate as expired or not yet valid"),
        ("EOF during handshake", "the client closed the connection during the TLS handshake; if it was a coordinator, it refused this worker's certificate: check that it dials a name or address the certificate is made out to"),
    ]
}
