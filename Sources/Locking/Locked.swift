#if FANOUT_TSAN
import NIOConcurrencyHelpers

/// A value guarded by a lock: `Synchronization.Mutex`, except in ThreadSanitizer builds.
///
/// On Linux, ThreadSanitizer cannot see `Mutex` take its lock (the futex is taken inside the uninstrumented
/// runtime), so it reports a race on every value a `Mutex` guards. `scripts/sanitizers.sh` builds with
/// `-DFANOUT_TSAN`, which swaps in this stand-in on a pthread mutex, which it does see. It costs an allocation
/// per lock, which only a sanitizer build pays.
public struct Locked<Value>: ~Copyable, Sendable {
    /// Safe to share: `value` is only touched while `lock` is held.
    private final class Storage: @unchecked Sendable {
        let lock = NIOLock()
        var value: Value

        init(_ value: Value) {
            self.value = value
        }
    }

    private let storage: Storage

    public init(_ value: sending Value) {
        self.storage = Storage(value)
    }

    public borrowing func withLock<Result, Failure: Error>(
        _ body: (inout sending Value) throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result {
        self.storage.lock.lock()
        defer { self.storage.lock.unlock() }
        return try body(&self.storage.value)
    }
}
#else
import Synchronization

/// A value guarded by a lock: `Synchronization.Mutex`. (ThreadSanitizer builds use a stand-in it can see.)
public typealias Locked<Value: ~Copyable> = Mutex<Value>
#endif
