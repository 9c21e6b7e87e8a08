@testable import FanoutCoordinator
import Testing

@Suite("Reconnect backoff")
struct ReconnectPolicyTests {
    @Test("delays double from the first up to the ceiling, each drawn from the upper half of its step")
    func doubling() {
        let policy = ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(1))
        #expect((0..<6).map { policy.delay(before: $0, random: 1) } == [100, 200, 400, 800, 1000, 1000].map { .milliseconds($0) })
        #expect(policy.delay(before: 2, random: 0.5) == .milliseconds(200))
        #expect(policy.delay(before: 10_000, random: 1) == .seconds(1), "no overflow however many attempts")
    }
}
