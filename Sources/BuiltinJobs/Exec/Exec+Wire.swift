import FanoutJobs
import NIOCore

// Input: a flags byte (bit 0: shell), the arguments (a count, then each as a count of parts, each a tag byte and,
// for text, a string; tag 0 text, 1 slot, 2 run folder), the environment (a count of name and value strings), the working directory (a string,
// empty for none) and the output limit (UInt32). Counts are LEB128.
//
// Output: a status byte (0 exited, 1 signalled) and the status or signal (Int32), a flags byte (bit 0: standard
// output cut, bit 1: standard error cut), then both outputs as byte strings.
extension Exec {
    private enum PartTag: UInt8 {
        case text = 0
        case slot = 1
        case transferFolder = 2
    }

    private enum Ending: UInt8 {
        case exited = 0
        case signalled = 1
    }

    public init(input buffer: inout ByteBuffer) throws {
        let flags = try buffer.readWireInteger(as: UInt8.self, field: "exec.flags")
        guard flags & ~1 == 0 else { throw ProtocolError(.invalidField, "exec.flags has unknown bits \(flags & ~1)") }
        var arguments: [CommandArgument] = []
        for _ in 0..<(try buffer.readWireLength(field: "exec.arguments.count")) {
            var parts: [CommandArgument.Part] = []
            for _ in 0..<(try buffer.readWireLength(field: "exec.argument.parts")) {
                switch try buffer.readWireEnum(as: PartTag.self, field: "exec.argument.part") {
                case .text: parts.append(.text(try buffer.readWireString(field: "exec.argument.text")))
                case .slot: parts.append(.slot)
                case .transferFolder: parts.append(.transferFolder)
                }
            }
            arguments.append(CommandArgument(parts))
        }
        var environment: [EnvironmentVariable] = []
        for _ in 0..<(try buffer.readWireLength(field: "exec.environment.count")) {
            let name = try buffer.readWireString(field: "exec.environment.name")
            let value = try buffer.readWireString(field: "exec.environment.value")
            environment.append(EnvironmentVariable(name: name, value: value))
        }
        let directory = try buffer.readWireString(field: "exec.workdir")
        let limit = try buffer.readWireInteger(as: UInt32.self, field: "exec.max_output")
        self.init(
            arguments,
            shell: flags & 1 != 0,
            environment: environment,
            workingDirectory: directory.isEmpty ? nil : directory,
            maximumOutputBytes: Int(limit)
        )
    }

    public func encodeInput(into buffer: inout ByteBuffer) throws {
        guard let limit = UInt32(exactly: self.maximumOutputBytes) else {
            throw ProtocolError(.invalidField, "exec.max_output is \(self.maximumOutputBytes); it must be 0 to \(UInt32.max)")
        }
        buffer.writeInteger(UInt8(self.shell ? 1 : 0))
        try buffer.writeWireLength(self.arguments.count, field: "exec.arguments.count")
        for argument in self.arguments {
            try buffer.writeWireLength(argument.parts.count, field: "exec.argument.parts")
            for part in argument.parts {
                switch part {
                case .text(let text):
                    buffer.writeInteger(PartTag.text.rawValue)
                    try buffer.writeWireString(text, field: "exec.argument.text")
                case .slot:
                    buffer.writeInteger(PartTag.slot.rawValue)
                case .transferFolder:
                    buffer.writeInteger(PartTag.transferFolder.rawValue)
                }
            }
        }
        try buffer.writeWireLength(self.environment.count, field: "exec.environment.count")
        for variable in self.environment {
            try buffer.writeWireString(variable.name, field: "exec.environment.name")
            try buffer.writeWireString(variable.value, field: "exec.environment.value")
        }
        try buffer.writeWireString(self.workingDirectory ?? "", field: "exec.workdir")
        buffer.writeInteger(limit)
    }

    public static func encodeOutput(_ output: ExecOutcome, into buffer: inout ByteBuffer) throws {
        if let signal = output.signal {
            buffer.writeInteger(Ending.signalled.rawValue)
            buffer.writeInteger(signal)
        } else {
            buffer.writeInteger(Ending.exited.rawValue)
            buffer.writeInteger(output.exitStatus ?? 0)
        }
        buffer.writeInteger(UInt8((output.standardOutputCut ? 1 : 0) | (output.standardErrorCut ? 2 : 0)))
        try buffer.writeWireBytes(ByteBuffer(bytes: output.standardOutput), field: "exec.stdout")
        try buffer.writeWireBytes(ByteBuffer(bytes: output.standardError), field: "exec.stderr")
    }

    public static func decodeOutput(from buffer: inout ByteBuffer) throws -> ExecOutcome {
        let ending = try buffer.readWireEnum(as: Ending.self, field: "exec.ending")
        let number = try buffer.readWireInteger(as: Int32.self, field: "exec.status")
        let flags = try buffer.readWireInteger(as: UInt8.self, field: "exec.cut")
        guard flags & ~3 == 0 else { throw ProtocolError(.invalidField, "exec.cut has unknown bits \(flags & ~3)") }
        let standardOutput = try buffer.readWireBytes(field: "exec.stdout")
        let standardError = try buffer.readWireBytes(field: "exec.stderr")
        return ExecOutcome(
            exitStatus: ending == .exited ? number : nil,
            signal: ending == .signalled ? number : nil,
            standardOutput: Array(standardOutput.readableBytesView),
            standardError: Array(standardError.readableBytesView),
            standardOutputCut: flags & 1 != 0,
            standardErrorCut: flags & 2 != 0
        )
    }
}
