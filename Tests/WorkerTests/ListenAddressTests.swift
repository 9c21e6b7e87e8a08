import FanoutWorker
import Testing

@Suite("Listen addresses")
struct ListenAddressTests {
    @Test("HOST:PORT and [IPV6]:PORT parse; port 0 is allowed")
    func parses() throws {
        let v4 = try ListenAddress(parsing: "127.0.0.1:7420")
        #expect(v4.host == "127.0.0.1" && v4.port == 7420)
        let v6 = try ListenAddress(parsing: "[::1]:0")
        #expect(v6.host == "::1" && v6.port == 0)
    }

    @Test("an address that does not read is a WorkerError naming it", arguments: ["[::1]", "localhost", ":7420", "host:70000", "host:x"])
    func refused(text: String) throws {
        let error = try #require(throws: WorkerError.self) { try ListenAddress(parsing: text) }
        #expect(error.code == .invalidListenAddress)
        #expect(error.message.contains("\"\(text.split(separator: ":").last.map(String.init) ?? text)") || error.message.contains(text), "\(error)")
    }
}
