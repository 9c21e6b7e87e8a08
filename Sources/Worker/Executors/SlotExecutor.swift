import FanoutProtocol

/// Runs jobs in numbered slots; the dispatcher never gives a slot a second job before the first is done.
protocol SlotExecutor: Sendable {
    var poolKind: PoolKind { get }
    var slotCount: Int { get }

    /// Keeps the pool's resources alive until ``shutdown()``, then releases them.
    func run() async

    /// Runs `submit` in `slot`. Never throws: a failure is an outcome.
    func execute(_ submit: Submit, slot: Int) async -> JobOutcome

    /// The job in `slot` ran past its deadline and has been answered; stop it if the pool can.
    func abandon(slot: Int)

    /// Ends ``run()`` once the jobs it holds are done.
    func shutdown()
}
