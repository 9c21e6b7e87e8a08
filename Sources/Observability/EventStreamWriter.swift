import NIOCore
import NIOHTTP1

/// Writes server-sent events (the `text/event-stream` format a browser's `EventSource` reads) to one client.
/// A write waits while the client is slow to read, so that a stalled page holds no more than one event.
public struct EventStreamWriter: Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    /// Sends one event; each line of `data` (ended by LF, CR or CRLF, as the format reads them) goes on a
    /// `data:` line of its own.
    public func send(_ data: String, event: String? = nil) async throws {
        var text = ""
        if let event { text += "event: \(event)\n" }
        for line in data.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            text += "data: \(line)\n"
        }
        text += "\n"
        try await self.outbound.write(.body(.byteBuffer(ByteBuffer(string: text))))
    }

}
