/// Which end of a connection a peer is.
public enum PeerRole: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case coordinator = 1
    case worker = 2

    public var description: String {
        switch self {
        case .coordinator: "coordinator"
        case .worker: "worker"
        }
    }
}
