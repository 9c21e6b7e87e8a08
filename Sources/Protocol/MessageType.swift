/// The type byte of a frame, which says how to read its payload.
public enum MessageType: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case hello = 0x01
    case submit = 0x02
    case started = 0x03
    case result = 0x04
    case cancel = 0x05
    case drain = 0x06
    case goodbye = 0x07
    case ping = 0x08
    case pong = 0x09
    case error = 0x0A
    case put = 0x0B

    public var description: String {
        switch self {
        case .hello: "hello"
        case .submit: "submit"
        case .started: "started"
        case .result: "result"
        case .cancel: "cancel"
        case .drain: "drain"
        case .goodbye: "goodbye"
        case .ping: "ping"
        case .pong: "pong"
        case .error: "error"
        case .put: "put"
        }
    }
}
