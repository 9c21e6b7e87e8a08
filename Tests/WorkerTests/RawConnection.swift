import FanoutProtocol
import NIOCore
import NIOPosix
import NIOSSL

/// A connection that sends raw bytes, as a confused or hostile peer would, and collects every byte the worker
/// sends back until it closes the connection.
enum RawConnection {
    struct Reply {
        var bytes: ByteBuffer
        /// Why reading stopped, when it was not a clean close.
        var error: (any Error)?

        /// The frames in `bytes`, and the error that stopped decoding them, if any.
        func frames() -> [Message] {
            var buffer = self.bytes
            var decoder = MessageDecoder()
            var messages: [Message] = []
            while let message = try? decoder.decode(buffer: &buffer) {
                messages.append(message)
            }
            return messages
        }
    }

    static func send(_ bytes: [ByteBuffer], port: Int, tls context: NIOSSLContext?) async throws -> Reply {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(MutualTLS.makeClientHandler(context: context, host: "127.0.0.1"))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var received = ByteBuffer()
            do {
                try await outbound.write(contentsOf: bytes)
                for try await chunk in inbound {
                    received.writeImmutableBuffer(chunk)
                }
                return Reply(bytes: received, error: nil)
            } catch {
                return Reply(bytes: received, error: error)
            }
        }
    }

    static func frame(_ message: Message) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        try buffer.writeFrame(message)
        return buffer
    }
}
