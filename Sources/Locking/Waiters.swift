/// A task suspended in ``suspend(ifCancelled:park:unpark:)`` until another task or thread hands it a value.
public struct Waiter<Value: Sendable>: Sendable {
    fileprivate let continuation: CheckedContinuation<Value, Never>

    public func resume(returning value: Value) {
        self.continuation.resume(returning: value)
    }
}

extension Waiter where Value == Void {
    public func resume() {
        self.continuation.resume()
    }
}

/// What the state a task waits on says when it comes to wait (see ``suspend(ifCancelled:park:unpark:)``).
public enum Parking<Value: Sendable>: Sendable {
    /// What it waits for is there: it returns this at once.
    case now(Value)
    /// It is parked, to be resumed by whoever takes it out.
    case parked
    /// Its task is cancelled: it returns its `ifCancelled` value at once.
    case cancelled
}

/// The tasks waiting on some state, kept in that state under its lock, each by a key. Whoever takes a waiter out
/// resumes it, once the lock is released.
public struct Waiters<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private var parked: [Key: Waiter<Value>] = [:]

    public init() {}

    public var isEmpty: Bool { self.parked.isEmpty }

    public var count: Int { self.parked.count }

    /// Parks `waiter` under `key`, unless its task is already cancelled. Called under the lock that guards the
    /// state, as ``take(_:)`` is from the task's cancellation handler: so either that handler finds the waiter,
    /// or this finds the task cancelled.
    public mutating func park(_ waiter: Waiter<Value>, as key: Key) -> Parking<Value> {
        if Task.isCancelled { return .cancelled }
        precondition(self.parked.updateValue(waiter, forKey: key) == nil, "two waiters under one key: \(key)")
        return .parked
    }

    /// The waiter parked under `key`, taken out; nil if there is none.
    public mutating func take(_ key: Key) -> Waiter<Value>? {
        self.parked.removeValue(forKey: key)
    }

    /// Every waiter, taken out.
    public mutating func takeAll() -> [Waiter<Value>] {
        defer { self.parked = [:] }
        return Array(self.parked.values)
    }

    /// Some one waiter, taken out; nil if there is none.
    public mutating func takeAny() -> Waiter<Value>? {
        guard let key = self.parked.keys.first else { return nil }
        return self.parked.removeValue(forKey: key)
    }
}

/// Suspends the calling task until a value is handed to it.
///
/// `park` runs once, under the lock that guards the state waited on: it returns ``Parking/now(_:)`` when what is
/// waited for is there, or parks the waiter in the state's ``Waiters`` and returns what
/// ``Waiters/park(_:as:)`` says. When the task is cancelled, `unpark` takes the waiter back out, under the same
/// lock, and the task returns `ifCancelled`; if someone took it out first, it returns what they hand it.
public func suspend<Value: Sendable>(
    ifCancelled: Value,
    park: (Waiter<Value>) -> Parking<Value>,
    unpark: @Sendable () -> Waiter<Value>?
) async -> Value {
    await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            switch park(Waiter(continuation: continuation)) {
            case .now(let value): continuation.resume(returning: value)
            case .cancelled: continuation.resume(returning: ifCancelled)
            case .parked: break
            }
        }
    } onCancel: {
        unpark()?.resume(returning: ifCancelled)
    }
}
