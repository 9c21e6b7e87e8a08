import FanoutProtocol
import Testing

@Suite("TLS refusals in words")
struct TLSRefusalTests {
    struct RawError: Error, CustomStringConvertible {
        var description: String
    }

    @Test("each side explains the reasons it can see, and keeps the code to search for")
    func explained() throws {
        let expired = RawError(description: "sslError([Error: 268436501 error:10000415:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED])")
        let coordinator = try #require(TLSRefusal.explainedToCoordinator(expired))
        #expect(coordinator.hasPrefix("the worker refused our certificate as expired"))
        #expect(coordinator.hasSuffix("(CERTIFICATE_EXPIRED)"))

        let noCertificate = RawError(description: "handshakeFailed(... PEER_DID_NOT_RETURN_A_CERTIFICATE ...)")
        #expect(TLSRefusal.explainedToWorker(noCertificate)?.hasPrefix("the client sent no certificate") == true)
        #expect(TLSRefusal.explainedToCoordinator(RawError(description: "failedToValidateHostname(expectedName: \"h\")"))?
            .contains("not made out to the address dialled") == true)
    }

    @Test("other errors are left to their own description")
    func unknown() {
        #expect(TLSRefusal.explainedToWorker(RawError(description: "connection reset by peer")) == nil)
        #expect(TLSRefusal.explainedToCoordinator(RawError(description: "connection refused")) == nil)
    }
}
