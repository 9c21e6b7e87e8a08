import FanoutObservability
import Testing

@Suite("Dashboard and metrics addresses")
struct HTTPListenAddressTests {
    @Test("a port alone is on loopback; a host, or a bracketed IPv6 host, goes before it")
    func reads() throws {
        #expect(try HTTPListenAddress(parsing: "8080", option: "--dashboard") == HTTPListenAddress(host: "127.0.0.1", port: 8080))
        #expect(try HTTPListenAddress(parsing: "0.0.0.0:0", option: "--dashboard") == HTTPListenAddress(host: "0.0.0.0", port: 0))
        #expect(try HTTPListenAddress(parsing: "[::1]:9090", option: "--dashboard") == HTTPListenAddress(host: "::1", port: 9090))
        #expect(try HTTPListenAddress(parsing: "[::1]:9090", option: "--dashboard").description == "[::1]:9090")
        #expect(try HTTPListenAddress(parsing: "localhost:1", option: "--dashboard").isLoopback)
        #expect(try HTTPListenAddress(parsing: "0.0.0.0:1", option: "--dashboard").isLoopback == false)
    }

    @Test(
        "what does not read is refused, naming the option, the text and why",
        arguments: [
            ("", "is not a port"), ("x:", "is not a port"), (":80", "the host is empty"), ("70000", "is not a port from 0 to 65535"),
            ("::1:80", "IPv6 host goes in brackets"), ("[::1]", "needs a port"), ("host:port", "\"port\" is not a port"),
        ]
    )
    func refused(text: String, why: String) {
        let error = #expect(throws: StatusServerError.self) { try HTTPListenAddress(parsing: text, option: "--metrics-listen") }
        #expect(error?.code == .invalidAddress)
        #expect(error?.message.hasPrefix("--metrics-listen \"\(text)\": ") == true)
        #expect(error?.message.contains(why) == true, "\(error?.message ?? "")")
    }
}
