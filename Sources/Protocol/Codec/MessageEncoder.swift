import NIOCore

/// Encodes outbound messages into frames, coalescing every frame written between two flushes into one buffer.
///
/// One buffer per flush means one TLS record and one syscall for a burst of messages rather than one each.
/// A message that cannot be encoded fails its own write and leaves the batch intact.
public final class MessageEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    public typealias OutboundIn = Message
    public typealias OutboundOut = ByteBuffer

    private let limits: FrameLimits
    private var batch: ByteBuffer?
    private var batchPromise: EventLoopPromise<Void>?

    public init(limits: FrameLimits = .default) {
        self.limits = limits
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let message = self.unwrapOutboundIn(data)
        var batch = self.batch ?? context.channel.allocator.buffer(capacity: 512)
        self.batch = nil
        do {
            try batch.writeFrame(message, limits: self.limits)
        } catch {
            self.batch = batch
            promise?.fail(error)
            return
        }
        self.batch = batch
        if let promise {
            if let batchPromise = self.batchPromise {
                batchPromise.futureResult.cascade(to: promise)
            } else {
                self.batchPromise = promise
            }
        }
    }

    public func flush(context: ChannelHandlerContext) {
        if let batch = self.batch, batch.readableBytes > 0 {
            let promise = self.batchPromise
            self.batch = nil
            self.batchPromise = nil
            context.write(self.wrapOutboundOut(batch), promise: promise)
        }
        context.flush()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.batch = nil
        if let promise = self.batchPromise {
            self.batchPromise = nil
            promise.fail(ChannelError.ioOnClosedChannel)
        }
    }
}

@available(*, unavailable)
extension MessageEncoder: Sendable {}
