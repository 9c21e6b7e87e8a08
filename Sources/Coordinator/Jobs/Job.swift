import FanoutProtocol

/// A unit of work a worker can run, with the type of what it gives back.
///
/// Jobs of different kinds mix in one cluster: `submit(PrimeCheck(97))` gives a future of `Bool`,
/// `submit(Fibonacci(30))` a future of `UInt64`.
public protocol Job: Sendable {
    associatedtype Output: Sendable

    /// What the worker is asked to do.
    var spec: JobSpec { get }

    /// Reads this job's output from what the worker sent back; nil when it is not this job's kind of output.
    func output(from output: JobOutput) -> Output?
}
