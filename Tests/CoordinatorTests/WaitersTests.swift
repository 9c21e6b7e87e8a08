import FanoutLocking
import Testing

@Suite("Waiters")
struct WaitersTests {
    /// A value some tasks wait for, and how many wait.
    final class Box: Sendable {
        struct State {
            var value: Int?
            var waiting = Waiters<Int, Int?>()
        }

        let state = Locked(State())

        func wait(as key: Int) async -> Int? {
            await suspend(ifCancelled: nil) { waiter in
                self.state.withLock { state in state.value.map { .now($0) } ?? state.waiting.park(waiter, as: key) }
            } unpark: {
                self.state.withLock { $0.waiting.take(key) }
            }
        }

        func set(_ value: Int) {
            let waiting = self.state.withLock { state in
                state.value = value
                return state.waiting.takeAll()
            }
            waiting.forEach { $0.resume(returning: value) }
        }

        var waitingCount: Int { self.state.withLock { $0.waiting.count } }
    }

    @Test("what is there is returned at once; what is not is handed to every parked waiter")
    func handOver() async {
        let box = Box()
        await withTaskGroup(of: Int?.self) { group in
            for key in 0..<3 { group.addTask { await box.wait(as: key) } }
            while box.waitingCount < 3 { await Task.yield() }
            box.set(7)
            for await value in group { #expect(value == 7) }
        }
        #expect(await box.wait(as: 9) == 7, "once set, no one parks")
        #expect(box.waitingCount == 0)
    }

    @Test("a cancelled waiter returns its ifCancelled value and is taken out; one cancelled before it parks never parks")
    func cancelled() async {
        let box = Box()
        let parked = Task { await box.wait(as: 1) }
        while box.waitingCount < 1 { await Task.yield() }
        parked.cancel()
        #expect(await parked.value == nil)
        #expect(box.waitingCount == 0)

        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await box.wait(as: 2)
        }
        #expect(await early.value == nil)
        #expect(box.waitingCount == 0)
    }

    @Test("cancels racing hand-overs: every waiter returns exactly once, with the value or without it")
    func races() async {
        for round in 0..<200 {
            let box = Box()
            let waiters = (0..<8).map { key in Task { await box.wait(as: key) } }
            for (index, waiter) in waiters.enumerated() where index % 2 == 0 { waiter.cancel() }
            box.set(round)
            for waiter in waiters {
                let value = await waiter.value
                #expect(value == round || value == nil)
            }
            #expect(box.waitingCount == 0)
        }
    }
}
