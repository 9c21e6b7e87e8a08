/// How the cluster reconnects to a worker it has lost: after a delay that doubles from ``initialDelay`` up to
/// ``maximumDelay``, each drawn at random from its upper half so that workers lost together are not redialled in
/// step, until ``giveUpAfter`` has passed since the loss.
public struct ReconnectPolicy: Sendable, Hashable {
    public var initialDelay: Duration
    public var maximumDelay: Duration
    /// How long after the loss to stop trying. Jobs wait in the queue meanwhile, even with no worker connected.
    public var giveUpAfter: Duration

    public init(initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5), giveUpAfter: Duration = .seconds(60)) {
        precondition(initialDelay > .zero && maximumDelay >= initialDelay, "reconnect delays must be positive and in order")
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.giveUpAfter = giveUpAfter
    }

    /// The delay before attempt `attempt` (0 for the first after a loss).
    func delay(before attempt: Int, random: Double = Double.random(in: 0.5...1)) -> Duration {
        var ceiling = self.initialDelay
        for _ in 0..<min(attempt, 62) where ceiling < self.maximumDelay {
            ceiling = min(ceiling * 2, self.maximumDelay)
        }
        return ceiling * random
    }
}
