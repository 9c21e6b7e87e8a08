import NIOCore
import NIOHTTP1

/// Writes server-sent events (the `text/event-stream` format a browser's `EventSource` reads) to one client.
/// A write waits while the client is slow to read, so that a stalled page holds no more than one event.
public struct EventStreamWriter: Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    /// Sends one event; each line of `data` goes on a `data:` line of its own.
    public func send(_ data: String, event: String? = nil) async throws {
        var text = ""
        if let event { text += "event: \(event)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: \(line)\n"
        }
        text += "\n"
        try await self.outbound.write(.body(.byteBuffer(ByteBuffer(string: text))))
    }

    /// Sends a comment, which keeps idle proxies and the connection's read timeout from closing the stream.
    public func keepAlive() async throws {
        try await self.outbound.write(.body(.byteBuffer(ByteBuffer(string: ":\n\n"))))
    }
}
