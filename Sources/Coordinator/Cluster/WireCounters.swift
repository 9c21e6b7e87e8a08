import NIOCore
import Synchronization

/// Running totals behind ``WireTraffic``, added to from every connection's event loop and task.
final class WireCounters: Sendable {
    private let framesSent = Atomic<Int>(0)
    private let framesReceived = Atomic<Int>(0)
    private let bytesSent = Atomic<Int>(0)
    private let bytesReceived = Atomic<Int>(0)

    func sent(frames: Int) { self.framesSent.add(frames, ordering: .relaxed) }
    func receivedFrame() { self.framesReceived.add(1, ordering: .relaxed) }
    func sent(bytes: Int) { self.bytesSent.add(bytes, ordering: .relaxed) }
    func received(bytes: Int) { self.bytesReceived.add(bytes, ordering: .relaxed) }

    var traffic: WireTraffic {
        var traffic = WireTraffic()
        traffic.framesSent = self.framesSent.load(ordering: .relaxed)
        traffic.framesReceived = self.framesReceived.load(ordering: .relaxed)
        traffic.bytesSent = self.bytesSent.load(ordering: .relaxed)
        traffic.bytesReceived = self.bytesReceived.load(ordering: .relaxed)
        return traffic
    }

    /// A handler for the socket end of a pipeline, below TLS, that counts the bytes passing it.
    func makeHandler() -> ByteCountingHandler { ByteCountingHandler(counters: self) }
}

/// Counts the bytes read from and written to the socket, into ``WireCounters``.
final class ByteCountingHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let counters: WireCounters

    init(counters: WireCounters) {
        self.counters = counters
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.counters.received(bytes: self.unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        self.counters.sent(bytes: self.unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension ByteCountingHandler: Sendable {}
