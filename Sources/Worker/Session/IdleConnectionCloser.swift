import Logging
import NIOCore

/// Closes a connection on which nothing has arrived for the `IdleStateHandler`'s read timeout: a coordinator
/// that has gone away without closing, cut off or frozen, so its session's jobs stop holding slots.
final class IdleConnectionCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            self.logger.warning(
                "nothing heard from the coordinator; closing its connection",
                metadata: ["peer.address": "\(context.remoteAddress.map { "\($0)" } ?? "?")"]
            )
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

@available(*, unavailable)
extension IdleConnectionCloser: Sendable {}
