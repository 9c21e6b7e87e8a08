import FanoutCoordinator
import FanoutJobs
import FanoutProtocol
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// The round trip Fanout's is measured against: the least SwiftNIO can do over the same wire. Two processes, the
/// same mutual TLS 1.3 contexts, and frames of the very sizes a no-op's submit and result take; each side
/// answers in its channel handler, with no task, thread or queue between the socket and the reply.
enum ReferenceRoundTrip {
    /// The sizes, in bytes with their headers, of the frames a no-op's round trip sends and receives.
    static func frameSizes() throws -> (request: Int, response: Int) {
        var submit = ByteBuffer()
        try submit.writeFrame(.submit(Submit(jobID: JobID(1), kind: JobKindID(rawValue: 1), payload: ByteBuffer())))
        var result = ByteBuffer()
        try result.writeFrame(
            .result(JobResult(jobID: JobID(1), attempt: 1, outcome: .ok(ByteBuffer()), slot: 0, queueNanoseconds: 1_000, runNanoseconds: 1_000, startedAt: WireClock.now))
        )
        return (submit.readableBytes, result.readableBytes)
    }

    /// `count` round trips, one after another, to an echo server in a process of its own: each one's time in
    /// microseconds.
    static func measure(count: Int) async throws -> [Double] {
        let (request, response) = try Self.frameSizes()
        let folder = try TemporaryFolder(prefix: "fanout-reference")
        defer { folder.remove() }
        let certificates = CertificateDirectory(path: folder.path + "/certs")
        try certificates.initialize(hosts: [.ipv4([127, 0, 0, 1])])

        let (server, port) = try await ListeningProcess.start(
            "/proc/self/exe",
            arguments: ["reference-echo", "--tls-dir", certificates.hostDirectory(for: .ipv4([127, 0, 0, 1])), "--response-bytes", "\(response)"]
        )
        do {
            let times = try await Self.pingPong(port: port, certificates: certificates, request: request, response: response, count: count)
            await ListeningProcess.stop([server])
            return times
        } catch {
            await ListeningProcess.stop([server])
            throw error
        }
    }

    private static func pingPong(port: Int, certificates: CertificateDirectory, request: Int, response: Int, count: Int) async throws -> [Double] {
        let context = try MutualTLS.makeClientContext(files: certificates.coordinatorFiles)
        let group = MultiThreadedEventLoopGroup.singleton
        let finished = group.any().makePromise(of: [UInt64].self)
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(MutualTLS.makeClientHandler(context: context, host: "127.0.0.1"))
                    try channel.pipeline.syncOperations.addHandler(
                        PingPongHandler(requestBytes: request, responseBytes: response, count: count, finished: finished)
                    )
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let times = try await finished.futureResult.get()
        try await channel.close()
        return times.map { Double($0) / 1_000 }
    }

    /// Serves the echo side until standard input closes: each request frame is answered with a response frame
    /// of `responseBytes`.
    static func serve(tls: TLSFiles, responseBytes: Int) async throws {
        let context = try MutualTLS.makeServerContext(files: tls)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LengthPrefixedFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(EchoHandler(responseBytes: responseBytes))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        FileHandle.standardOutput.write(Data("listening on 127.0.0.1:\(server.localAddress?.port ?? 0)\n".utf8))
        try await NIOThreadPool.singleton.runIfActive {
            var byte: UInt8 = 0
            while read(STDIN_FILENO, &byte, 1) > 0 {}
        }
        try await server.close()
    }

    /// A frame of `length` bytes in all: a 4-byte length, then zeros.
    static func frame(length: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: length)
        buffer.writeInteger(UInt32(length - 4))
        buffer.writeRepeatingByte(0, count: length - 4)
        return buffer
    }
}

/// Splits the stream into frames of a 4-byte big-endian length and that many bytes.
private struct LengthPrefixedFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self),
            let frame = buffer.getSlice(at: buffer.readerIndex, length: 4 + Int(length))
        else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: frame.readableBytes)
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }
}

/// Answers every frame with a response frame, flushed at once.
private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let responseBytes: Int

    init(responseBytes: Int) {
        self.responseBytes = responseBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(Self.wrapOutboundOut(ReferenceRoundTrip.frame(length: self.responseBytes, allocator: context.channel.allocator)), promise: nil)
    }
}

/// Sends a request frame once TLS is up, and the next as soon as the whole response is in, `count` times; fails
/// `finished` if the connection ends first.
private final class PingPongHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let requestBytes: Int
    private let responseBytes: Int
    private let count: Int
    private let finished: EventLoopPromise<[UInt64]>
    private var received = 0
    private var sentAt: NIODeadline = .now()
    private var times: [UInt64] = []

    init(requestBytes: Int, responseBytes: Int, count: Int, finished: EventLoopPromise<[UInt64]>) {
        self.requestBytes = requestBytes
        self.responseBytes = responseBytes
        self.count = count
        self.finished = finished
        self.times.reserveCapacity(count)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { self.send(context: context) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.received += Self.unwrapInboundIn(data).readableBytes
        guard self.received >= self.responseBytes else { return }
        self.received -= self.responseBytes
        self.times.append(UInt64((NIODeadline.now() - self.sentAt).nanoseconds))
        if self.times.count == self.count {
            self.finished.succeed(self.times)
        } else {
            self.send(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.finished.fail(ChannelError.inputClosed)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.finished.fail(error)
        context.close(promise: nil)
    }

    private func send(context: ChannelHandlerContext) {
        self.sentAt = .now()
        context.writeAndFlush(Self.wrapOutboundOut(ReferenceRoundTrip.frame(length: self.requestBytes, allocator: context.channel.allocator)), promise: nil)
    }
}
