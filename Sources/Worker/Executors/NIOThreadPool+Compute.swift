import FanoutJobs
import FanoutProtocol
import NIOPosix

extension NIOThreadPool {
    /// Computes `submit`, of a kind that ``JobKinds/computesOnThread(_:)``, on one of these threads, and calls
    /// `done` there with its outcome; with a `shuttingDown` failure, at once, when the threads have stopped.
    func compute(_ submit: Submit, kinds: JobKinds, maximumOutputLength: Int, then done: @escaping @Sendable (JobOutcome) -> Void) {
        self.submit { state in
            guard case .active = state,
                let outcome = kinds.compute(submit.kind, payload: submit.payload, maximumOutputLength: maximumOutputLength)
            else {
                return done(.failed(JobFailure(code: .shuttingDown, message: "the worker's threads have stopped")))
            }
            done(outcome)
        }
    }
}
