import NIOCore

/// The first frame each way: who the peer is and, from a worker, what it offers.
public struct Hello: Hashable, Sendable {
    /// The four bytes "FNOT" that open every hello, so a stranger's bytes are told apart from an old version.
    public static let magic: [UInt8] = Array("FNOT".utf8)

    public var protocolVersion: ProtocolVersion
    public var role: PeerRole
    public var softwareVersion: String
    public var hostName: String
    /// Present exactly when `role` is `.worker`.
    public var capabilities: WorkerCapabilities?

    public init(
        protocolVersion: ProtocolVersion = .current,
        role: PeerRole,
        softwareVersion: String,
        hostName: String,
        capabilities: WorkerCapabilities? = nil
    ) {
        self.protocolVersion = protocolVersion
        self.role = role
        self.softwareVersion = softwareVersion
        self.hostName = hostName
        self.capabilities = capabilities
    }

    /// A coordinator's hello.
    public static func coordinator(softwareVersion: String, hostName: String) -> Hello {
        Hello(role: .coordinator, softwareVersion: softwareVersion, hostName: hostName)
    }

    /// A worker's hello with its capabilities.
    public static func worker(softwareVersion: String, hostName: String, capabilities: WorkerCapabilities) -> Hello {
        Hello(role: .worker, softwareVersion: softwareVersion, hostName: hostName, capabilities: capabilities)
    }
}

extension Hello: WirePayload {
    init(wire buffer: inout ByteBuffer) throws {
        guard buffer.readableBytes >= Self.magic.count,
            buffer.readBytes(length: Self.magic.count) == Self.magic
        else {
            throw ProtocolError(.notFanout, "hello does not start with the Fanout magic \"FNOT\"")
        }
        let version = ProtocolVersion(rawValue: try buffer.readWireInteger(field: "hello.protocolVersion"))
        // Everything after the version may differ between versions, so it is read only when they match.
        guard version == .current else {
            throw ProtocolError(
                .versionMismatch,
                "peer speaks Fanout protocol version \(version), this side speaks version \(ProtocolVersion.current)"
            )
        }
        self.protocolVersion = version
        self.role = try buffer.readWireEnum(field: "hello.role")
        self.softwareVersion = try buffer.readWireString(field: "hello.softwareVersion")
        self.hostName = try buffer.readWireString(field: "hello.hostName")
        switch self.role {
        case .coordinator:
            self.capabilities = nil
        case .worker:
            let poolKind: PoolKind = try buffer.readWireEnum(field: "hello.poolKind")
            let slots: UInt16 = try buffer.readWireInteger(field: "hello.slots")
            guard slots > 0 else {
                throw ProtocolError(.invalidField, "hello.slots is 0; a worker offers at least one slot")
            }
            let cores: UInt16 = try buffer.readWireInteger(field: "hello.cores")
            self.capabilities = WorkerCapabilities(poolKind: poolKind, slots: slots, cores: cores, kinds: try Self.readKinds(wire: &buffer))
        }
    }

    func write(wire buffer: inout ByteBuffer) throws {
        buffer.writeBytes(Self.magic)
        buffer.writeInteger(self.protocolVersion.rawValue)
        buffer.writeInteger(self.role.rawValue)
        try buffer.writeWireString(self.softwareVersion, field: "hello.softwareVersion")
        try buffer.writeWireString(self.hostName, field: "hello.hostName")
        switch (self.role, self.capabilities) {
        case (.coordinator, nil):
            break
        case (.worker, let capabilities?):
            guard capabilities.slots > 0 else {
                throw ProtocolError(.invalidField, "hello.slots is 0; a worker offers at least one slot")
            }
            buffer.writeMultipleIntegers(capabilities.poolKind.rawValue, capabilities.slots, capabilities.cores)
            try Self.writeKinds(capabilities.kinds, wire: &buffer)
        case (.coordinator, _?):
            throw ProtocolError(.invalidField, "a coordinator's hello carries no worker capabilities")
        case (.worker, nil):
            throw ProtocolError(.invalidField, "a worker's hello must carry its capabilities")
        }
    }
}

extension Hello {
    /// A worker's kinds: a UInt16 count, then each kind's name and version. Names are checked as at
    /// registration, and none may appear twice, or the numbers submits go by would be ambiguous.
    private static func readKinds(wire buffer: inout ByteBuffer) throws -> [JobKindName] {
        let count: UInt16 = try buffer.readWireInteger(field: "hello.kindCount")
        var kinds: [JobKindName] = []
        kinds.reserveCapacity(min(Int(count), buffer.readableBytes / 4))
        var seen: Set<JobKindName> = []
        for index in 0..<Int(count) {
            let name = try buffer.readWireString(field: "hello.kind.name")
            let kind = JobKindName(name, version: try buffer.readWireInteger(field: "hello.kind.version"))
            do {
                try kind.validate()
            } catch let error as ProtocolError {
                throw ProtocolError(error.code, "hello.kind \(index): \(error.message)")
            }
            guard seen.insert(kind).inserted else {
                throw ProtocolError(.invalidField, "hello.kind \(index): \(kind) is listed twice")
            }
            kinds.append(kind)
        }
        return kinds
    }

    private static func writeKinds(_ kinds: [JobKindName], wire buffer: inout ByteBuffer) throws {
        guard let count = UInt16(exactly: kinds.count) else {
            throw ProtocolError(.invalidField, "a worker lists \(kinds.count) kinds; at most \(UInt16.max) fit")
        }
        buffer.writeInteger(count)
        for kind in kinds {
            try buffer.writeWireString(kind.name, field: "hello.kind.name")
            buffer.writeInteger(kind.version)
        }
    }
}
