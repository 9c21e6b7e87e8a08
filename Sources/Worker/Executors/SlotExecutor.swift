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

    /// `job` in `slot` has been answered early, for `reason`; stop it if the pool can and it still runs.
    func abandon(_ job: JobID, in slot: Int, because reason: JobStopReason)

    /// Ends ``run()`` once the jobs it holds are done.
    func shutdown()
}
