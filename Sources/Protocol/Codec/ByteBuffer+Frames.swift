import NIOCore

extension ByteBuffer {
    /// Appends `message` as one frame, header and payload.
    ///
    /// Throws when a field does not fit its wire type or the frame would exceed `limits`; the buffer is
    /// then left as it was.
    public mutating func writeFrame(_ message: Message, limits: FrameLimits = .default) throws {
        let start = self.writerIndex
        do {
            let length = try self.writeLengthPrefixed(as: UInt32.self) { buffer in
                let payloadStart = buffer.writerIndex
                buffer.writeMultipleIntegers(message.type.rawValue, FrameHeader.knownFlags)
                try message.writePayload(wire: &buffer)
                return buffer.writerIndex - payloadStart
            }
            let frameLength = length - FrameHeader.lengthFieldLength
            guard frameLength <= limits.maximumFrameLength else {
                throw ProtocolError(
                    .frameTooLarge,
                    "\(message.type) frame length \(frameLength) exceeds the limit of \(limits.maximumFrameLength) bytes"
                )
            }
        } catch let error as ProtocolError {
            self.moveWriterIndex(to: start)
            throw error
        } catch {
            self.moveWriterIndex(to: start)
            throw ProtocolError(.frameTooLarge, "\(message.type) frame does not fit a 32-bit length")
        }
    }
}

extension Message {
    /// Throws the ``ProtocolError`` that writing this message as a frame within `limits` would throw: a field
    /// that does not fit its wire type, or a frame over the limit. For checking before a message is sent.
    public func checkEncodes(within limits: FrameLimits) throws {
        var scratch = ByteBuffer()
        try scratch.writeFrame(self, limits: limits)
    }

    /// Reads the payload of a frame of `type`, which must hold exactly one message.
    init(type: MessageType, payload: inout ByteBuffer) throws {
        switch type {
        case .hello: self = .hello(try Hello(wire: &payload))
        case .submit: self = .submit(try Submit(wire: &payload))
        case .started: self = .started(try Started(wire: &payload))
        case .result: self = .result(try JobResult(wire: &payload))
        case .cancel: self = .cancel(try Cancel(wire: &payload))
        case .drain: self = .drain
        case .goodbye: self = .goodbye
        case .ping: self = .ping(try Ping(wire: &payload))
        case .pong: self = .pong(try Pong(wire: &payload))
        case .error: self = .error(try ErrorReport(wire: &payload))
        case .put: self = .put(try Put(wire: &payload))
        }
        guard payload.readableBytes == 0 else {
            throw ProtocolError(
                .trailingBytes,
                "\(type) frame has \(payload.readableBytes) bytes after its last field"
            )
        }
    }

    func writePayload(wire buffer: inout ByteBuffer) throws {
        switch self {
        case .hello(let hello): try hello.write(wire: &buffer)
        case .submit(let submit): try submit.write(wire: &buffer)
        case .started(let started): try started.write(wire: &buffer)
        case .result(let result): try result.write(wire: &buffer)
        case .cancel(let cancel): try cancel.write(wire: &buffer)
        case .drain, .goodbye: break
        case .ping(let ping): try ping.write(wire: &buffer)
        case .pong(let pong): try pong.write(wire: &buffer)
        case .error(let report): try report.write(wire: &buffer)
        case .put(let put): try put.write(wire: &buffer)
        }
    }
}
