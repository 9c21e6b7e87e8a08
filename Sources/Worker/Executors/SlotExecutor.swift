import FanoutProtocol

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

    /// Whether jobs of `kind` can go to ``compute(_:then:)``: computed on a thread alone
    /// (``JobKinds/computesOnThread(_:)``), by a pool that runs them in this process.
    func computesOnThread(_ kind: JobKindID) -> Bool

    /// Computes `submit`, of a kind that ``computesOnThread(_:)``, on one of the pool's threads, and calls `done`
    /// there with its outcome. No task is involved: the thread answers.
    func compute(_ submit: Submit, then done: @escaping @Sendable (JobOutcome) -> Void)

    /// `job` in `slot` has been answered early, for `reason`; stop it if the pool can and it still runs.
    func abandon(_ job: JobID, in slot: Int, because reason: JobStopReason)

    /// Ends ``run()`` once the jobs it holds are done.
    func shutdown()
}

extension SlotExecutor {
    func computesOnThread(_ kind: JobKindID) -> Bool { false }

    func compute(_ submit: Submit, then done: @escaping @Sendable (JobOutcome) -> Void) {
        preconditionFailure("\(Self.self) computes no job on a thread of its own")
    }
}
