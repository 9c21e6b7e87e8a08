@testable import FanoutCoordinator
import Testing

@Suite("Worker link")
struct WorkerLinkTests {
    static let address = WorkerAddress(host: WorkerHost("10.0.0.1")!)
    static let policy = ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(1), giveUpAfter: .seconds(10))

    @Test("a worker whose first connection fails is left out, and not dialled again")
    func unreachable() {
        var link = WorkerLink(address: Self.address, joinedMidRun: true)
        #expect(link.isJoining && link.isAwaited)
        let failure = link.failedToConnect("refused", at: .now, policy: Self.policy, stopped: false)
        #expect(failure == .unreachable)
        #expect(link.state == .closed && !link.isAwaited && !link.isInRun)
        #expect(link.next(policy: Self.policy) == .stop)
    }

    @Test("a lost worker is dialled again, each failure waiting longer, until it has been gone giveUpAfter")
    func backoff() {
        let start = ContinuousClock.now
        var link = WorkerLink(address: Self.address, joinedMidRun: false)
        #expect(!link.isJoining, "a worker of the start is not joining")
        let registered = link.registered()
        #expect(registered && link.state == .ready && !link.isReconnection)
        let lost = link.lost(at: start, policy: Self.policy, stopped: false)
        let lostAgain = link.lost(at: start, policy: Self.policy, stopped: false)
        #expect(lost && !lostAgain, "only the first loss counts")
        #expect(link.isReconnecting && link.isInRun)
        for failures in 0..<3 {
            guard case .dial(let delay) = link.next(policy: Self.policy) else {
                Issue.record("not dialled again after \(failures) failures")
                return
            }
            #expect(delay <= Self.policy.delay(before: failures, random: 1) && delay >= Self.policy.delay(before: failures, random: 0.5))
            let dialling = link.dialAgain()
            #expect(dialling && link.isReconnection && link.isReconnecting)
            let failure = link.failedToConnect("refused \(failures)", at: start + .seconds(failures), policy: Self.policy, stopped: false)
            #expect(failure == .retrying)
        }
        _ = link.dialAgain()
        let last = link.failedToConnect("refused at last", at: start + .seconds(10), policy: Self.policy, stopped: false)
        #expect(last == .gaveUp(attempts: 4, reason: "refused at last"))
        #expect(link.state == .closed && !link.isReconnecting && link.next(policy: Self.policy) == .stop)
    }

    @Test("a worker back after a loss starts its count afresh")
    func reconnected() {
        let start = ContinuousClock.now
        var link = WorkerLink(address: Self.address, joinedMidRun: false)
        _ = link.registered()
        _ = link.lost(at: start, policy: Self.policy, stopped: false)
        _ = link.dialAgain()
        let failure = link.failedToConnect("refused", at: start + .seconds(9), policy: Self.policy, stopped: false)
        #expect(failure == .retrying)
        _ = link.dialAgain()
        let registered = link.registered()
        #expect(registered && link.state == .ready && !link.isReconnecting)
        _ = link.lost(at: start + .seconds(20), policy: Self.policy, stopped: false)
        #expect(link.state == .backingOff(WorkerLink.Backoff(lostAt: start + .seconds(20))))
    }

    @Test("with no reconnect policy, or once the run is over, a lost worker is not dialled again")
    func noReconnect() {
        var link = WorkerLink(address: Self.address, joinedMidRun: false)
        _ = link.registered()
        _ = link.lost(at: .now, policy: nil, stopped: false)
        #expect(link.state == .closed)

        var stopped = WorkerLink(address: Self.address, joinedMidRun: false)
        _ = stopped.registered()
        _ = stopped.lost(at: .now, policy: Self.policy, stopped: true)
        #expect(stopped.state == .closed)

        var waiting = WorkerLink(address: Self.address, joinedMidRun: false)
        _ = waiting.registered()
        _ = waiting.lost(at: .now, policy: Self.policy, stopped: false)
        waiting.stop()
        let dialling = waiting.dialAgain()
        #expect(!dialling && waiting.state == .closed && !waiting.isAwaited)
    }

    @Test("a worker taken out of the run drains if connected, is not dialled again if lost, and is never awaited")
    func retired() {
        var connected = WorkerLink(address: Self.address, joinedMidRun: false)
        _ = connected.registered()
        let drain = connected.retire()
        #expect(drain, "a connected worker is told to drain")
        #expect(connected.state == .draining && !connected.isInRun)
        _ = connected.lost(at: .now, policy: Self.policy, stopped: false)
        #expect(connected.state == .closed, "a drained worker is not dialled again")

        var connecting = WorkerLink(address: Self.address, joinedMidRun: true)
        let drainConnecting = connecting.retire()
        #expect(!drainConnecting)
        #expect(!connecting.isJoining, "jobs no longer wait for a joiner taken out")
        let served = connecting.registered()
        #expect(!served, "one that connects after being taken out gets no job")
        #expect(connecting.state == .draining)

        var lost = WorkerLink(address: Self.address, joinedMidRun: false)
        _ = lost.registered()
        _ = lost.lost(at: .now, policy: Self.policy, stopped: false)
        _ = lost.retire()
        let dialling = lost.dialAgain()
        #expect(lost.state == .closed && !lost.isReconnecting && !dialling)

        var redialling = WorkerLink(address: Self.address, joinedMidRun: false)
        _ = redialling.registered()
        _ = redialling.lost(at: .now, policy: Self.policy, stopped: false)
        _ = redialling.dialAgain()
        _ = redialling.retire()
        #expect(!redialling.isReconnecting)
        let failure = redialling.failedToConnect("refused", at: .now, policy: Self.policy, stopped: false)
        #expect(failure == .ended)
    }
}
