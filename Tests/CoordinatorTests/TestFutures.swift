@testable import FanoutCoordinator
import FanoutProtocol
import NIOCore

extension AnyJobFuture {
    /// A future of `kind` outside any cluster, for tests of the parts that take futures.
    static func make(id: JobID, kind: JobKindName, number: Int = 0) -> AnyJobFuture {
        AnyJobFuture(id: id, kind: ClusterKind(name: kind, number: number, canceller: nil), input: EncodedInput(ByteBuffer()))
    }
}

extension JobScheduler {
    /// Queues `future` under the number this scheduler gives its kind.
    mutating func enqueue(_ future: AnyJobFuture, timeoutNanoseconds: UInt64) -> [Assignment] {
        let kind = self.index(of: future.kind)
        return self.enqueue(future, kind: kind, timeoutNanoseconds: timeoutNanoseconds)
    }

    /// Whether a worker connected now runs `kind`.
    mutating func runs(_ kind: JobKindName) -> Bool {
        let number = self.index(of: kind)
        return self.runs(number: number)
    }
}
