import FanoutProtocol
import NIOCore

/// Runs jobs in numbered slots; the dispatcher never gives a slot a second job before the first is done.
protocol SlotExecutor: Sendable {
    var poolKind: PoolKind { get }
    var slotCount: Int { get }

    /// Keeps the pool's resources alive until ``shutdown()``, then releases them.
    func run() async

    /// Runs `submit` in `slot`, calling `started` once the job is really running (for a process pool, once
    /// the child has it). `origin` says who sent it and with what files.
    /// Never throws: a failure is an outcome.
    func execute(_ submit: Submit, slot: Int, origin: JobOrigin, started: @escaping @Sendable () -> Void) async -> JobOutcome

    /// Whether jobs of `kind` can go to ``start(_:on:then:)``: run by a pool in this process with no task, on a
    /// pool thread (``JobKinds/computesOnThread(_:)``) or on an event loop (``JobKinds/runsOnEventLoop(_:)``).
    func runsWithoutTask(_ kind: JobKindID) -> Bool

    /// Runs `submit`, of a kind that ``runsWithoutTask(_:)``, in `slot`: computed on one of the pool's threads,
    /// started on `eventLoop` (the loop of the connection that sent it), or sent to the slot's child. Calls
    /// `started` once the job is really running, and `done` with its outcome, on that thread or loop; before
    /// returning only with a `shuttingDown` failure, when the pool has stopped.
    func start(
        _ submit: Submit,
        slot: Int,
        on eventLoop: any EventLoop,
        started: @escaping @Sendable () -> Void,
        then done: @escaping @Sendable (JobOutcome) -> Void
    )

    /// `job` in `slot` has been answered early, for `reason`; stop it if the pool can and it still runs.
    func abandon(_ job: JobID, in slot: Int, because reason: JobStopReason)

    /// Ends ``run()`` once the jobs it holds are done.
    func shutdown()
}

extension SlotExecutor {
    func runsWithoutTask(_ kind: JobKindID) -> Bool { false }

    func start(
        _ submit: Submit,
        slot: Int,
        on eventLoop: any EventLoop,
        started: @escaping @Sendable () -> Void,
        then done: @escaping @Sendable (JobOutcome) -> Void
    ) {
        preconditionFailure("\(Self.self) runs no job without a task")
    }
}
