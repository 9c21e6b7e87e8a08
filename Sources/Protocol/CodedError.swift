/// An error with a code to match on, a message for people, and the error behind it, if any: the shape of each
/// layer's one error type, as grpc-swift's `RPCError`. Two are equal when their codes and messages are.
public protocol CodedError: Error, Hashable, CustomStringConvertible {
    associatedtype Code: Hashable
    var code: Code { get }
    var message: String { get }
    var cause: (any Error & Sendable)? { get }
}

extension CodedError {
    public var description: String { self.message }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.message)
    }
}
