import FanoutProtocol
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

/// Bytes a confused or hostile peer might send, each with the error the decoder must give.
struct MalformedInput: Sendable, CustomTestStringConvertible {
    var name: String
    var hex: String
    var code: ErrorCode
    /// Words the error message must contain, so it says what was wrong and where.
    var mentions: [String]
    var limits: FrameLimits = .default

    var testDescription: String { self.name }

    static let all: [MalformedInput] = [
        MalformedInput(
            name: "length over the default limit, header only",
            hex: "01000001",
            code: .frameTooLarge,
            mentions: ["16777217", "16777216"]
        ),
        MalformedInput(
            name: "length over a configured limit, header only",
            hex: "00000041",
            code: .frameTooLarge,
            mentions: ["65", "64"],
            limits: FrameLimits(maximumFrameLength: 64)
        ),
        MalformedInput(name: "largest length", hex: "FFFFFFFF 01 00", code: .frameTooLarge, mentions: ["4294967295"]),
        MalformedInput(name: "length too short for a header", hex: "00000001 06", code: .truncatedFrame, mentions: ["1"]),
        MalformedInput(name: "unknown message type", hex: "00000002 7F 00", code: .unknownMessageType, mentions: ["0x7f"]),
        MalformedInput(name: "zero message type", hex: "00000002 00 00", code: .unknownMessageType, mentions: ["0x0"]),
        MalformedInput(name: "unknown flags", hex: "00000002 06 80", code: .unknownFlags, mentions: ["drain"]),
        MalformedInput(
            name: "payload shorter than its fields",
            hex: "00000004 08 00 0102",
            code: .truncatedFrame,
            mentions: ["ping.sentAt"]
        ),
        MalformedInput(
            name: "trailing bytes inside a frame",
            hex: "00000003 06 00 00",
            code: .trailingBytes,
            mentions: ["drain", "1 bytes"]
        ),
        MalformedInput(
            name: "trailing bytes after a ping",
            hex: "0000000B 08 00 0102030405060708 FF",
            code: .trailingBytes,
            mentions: ["ping"]
        ),
        MalformedInput(
            name: "a version 3 peer's hello",
            hex: "00000014 01 00  464E4F54 0003 01  0005 302E312E30  0002 6331",
            code: .versionMismatch,
            mentions: ["version 3", "version 5"]
        ),
        MalformedInput(
            name: "a version 3 worker's hello, which lists no kinds",
            hex: "00000019 01 00  464E4F54 0003 02  0005 302E312E30  0002 7731  02 0004 0002",
            code: .versionMismatch,
            mentions: ["version 3", "version 5"]
        ),
        MalformedInput(
            name: "a hello of a later version",
            hex: "00000008 01 00  464E4F54 0006",
            code: .versionMismatch,
            mentions: ["version 6", "version 5"]
        ),
        MalformedInput(
            name: "hello without the magic",
            hex: "00000014 01 00  47455420 0004 01  0005 302E312E30  0002 6331",
            code: .notFanout,
            mentions: ["FNOT"]
        ),
        MalformedInput(
            name: "hello too short for the magic",
            hex: "00000004 01 00 464E",
            code: .notFanout,
            mentions: ["FNOT"]
        ),
        MalformedInput(
            name: "bad UTF-8 in hello host name",
            hex: "00000014 01 00  464E4F54 0005 01  0005 302E312E30  0002 C328",
            code: .invalidUTF8,
            mentions: ["hello.hostName"]
        ),
        MalformedInput(
            name: "string longer than the payload",
            hex: "00000014 01 00  464E4F54 0005 01  0005 302E312E30  0009 6331",
            code: .truncatedFrame,
            mentions: ["hello.hostName", "9"]
        ),
        MalformedInput(
            name: "unknown role",
            hex: "00000014 01 00  464E4F54 0005 09  0005 302E312E30  0002 6331",
            code: .invalidField,
            mentions: ["hello.role", "9"]
        ),
        MalformedInput(
            name: "worker hello without capabilities",
            hex: "00000014 01 00  464E4F54 0005 02  0005 302E312E30  0002 7731",
            code: .truncatedFrame,
            mentions: ["hello.poolKind"]
        ),
        MalformedInput(
            name: "worker hello with zero slots",
            hex: "0000001B 01 00  464E4F54 0005 02  0005 302E312E30  0002 7731  02 0000 0002  0000",
            code: .invalidField,
            mentions: ["hello.slots"]
        ),
        MalformedInput(
            name: "unknown pool kind",
            hex: "0000001B 01 00  464E4F54 0005 02  0005 302E312E30  0002 7731  07 0004 0002  0000",
            code: .invalidField,
            mentions: ["hello.poolKind", "7"]
        ),
        MalformedInput(
            name: "worker hello without its kind count",
            hex: "00000019 01 00  464E4F54 0005 02  0005 302E312E30  0002 7731  02 0004 0002",
            code: .truncatedFrame,
            mentions: ["hello.kindCount"]
        ),
        MalformedInput(
            name: "worker hello listing a kind twice",
            hex: """
                0000003B 01 00  464E4F54 0005 02  0005 302E312E30  0002 7731  02 0004 0002
                0002  000C 7072696D65732E636865636B 0001  000C 7072696D65732E636865636B 0001
                """,
            code: .invalidField,
            mentions: ["hello.kind 1", "primes.check.v1", "twice"]
        ),
        MalformedInput(
            name: "worker hello with an empty kind name",
            hex: "0000001F 01 00  464E4F54 0005 02  0005 302E312E30  0002 7731  02 0004 0002  0001  0000 0001",
            code: .invalidField,
            mentions: ["hello.kind 0", "empty"]
        ),
        MalformedInput(
            name: "worker hello with a space in a kind name",
            hex: "00000022 01 00  464E4F54 0005 02  0005 302E312E30  0002 7731  02 0004 0002  0001  0003 612062 0001",
            code: .invalidField,
            mentions: ["hello.kind 0", "\"a b\""]
        ),
        MalformedInput(
            name: "worker hello with an empty word in a kind name",
            hex: "0000002B 01 00  464E4F54 0005 02  0005 302E312E30  0002 7731  02 0004 0002  0002  0004 6E6F6F70 0001  0004 612E2E62 0001",
            code: .invalidField,
            mentions: ["hello.kind 1", "a..b", "empty word"]
        ),
        MalformedInput(
            name: "worker hello with a kind name over 128 bytes",
            hex: "000000A0 01 00  464E4F54 0005 02  0005 302E312E30  0002 7731  02 0004 0002  0001  0081 "
                + String(repeating: "6B", count: 129) + " 0001",
            code: .invalidField,
            mentions: ["hello.kind 0", "129 bytes", "128"]
        ),
        MalformedInput(
            name: "bad UTF-8 in a kind name",
            hex: "00000021 01 00  464E4F54 0005 02  0005 302E312E30  0002 7731  02 0004 0002  0001  0002 C328 0001",
            code: .invalidUTF8,
            mentions: ["hello.kind.name"]
        ),
        MalformedInput(
            name: "worker hello whose kind count runs past its kinds",
            hex: "00000023 01 00  464E4F54 0005 02  0005 302E312E30  0002 7731  02 0004 0002  0002  0004 6E6F6F70 0001",
            code: .truncatedFrame,
            mentions: ["hello.kind.name"]
        ),
        MalformedInput(
            name: "worker hello with a kind but no version",
            hex: "00000021 01 00  464E4F54 0005 02  0005 302E312E30  0002 7731  02 0004 0002  0001  0004 6E6F6F70",
            code: .truncatedFrame,
            mentions: ["hello.kind.version"]
        ),
        MalformedInput(
            name: "submit too short for its kind",
            hex: "0000000D 02 00  0000000000000005 0001 00",
            code: .truncatedFrame,
            mentions: ["submit.kind"]
        ),
        MalformedInput(
            name: "submit too short for its timeout",
            hex: "00000015 02 00  0000000000000005 0001 0008 00000000000000",
            code: .truncatedFrame,
            mentions: ["submit.timeoutNanoseconds"]
        ),
        MalformedInput(
            name: "put of a name with a slash, which would leave the run folder",
            hex: "0000001C 0B 00  0003 612F62  00  0000000000000000 0000000000000000  00000000",
            code: .invalidField,
            mentions: ["put.name", "/"]
        ),
        MalformedInput(
            name: "put of a name whose slash hides under a combining mark, which is one Character but a / byte",
            // "../" U+0301 "x": 2E2E 2F CC81 78
            hex: "0000001E 0B 00  0005 2E2E2FCC8178  00  0000000000000000 0000000000000000  00000000",
            code: .invalidField,
            mentions: ["put.name", "/"]
        ),
        MalformedInput(
            name: "put of an empty name",
            hex: "00000019 0B 00  0000  00  0000000000000000 0000000000000000  00000000",
            code: .invalidField,
            mentions: ["put.name", "empty"]
        ),
        MalformedInput(
            name: "put of a name with a NUL byte",
            hex: "0000001B 0B 00  0002 6100  00  0000000000000000 0000000000000000  00000000",
            code: .invalidField,
            mentions: ["put.name", "NUL"]
        ),
        MalformedInput(
            name: "put of the name ..",
            hex: "0000001B 0B 00  0002 2E2E  00  0000000000000000 0000000000000000  00000000",
            code: .invalidField,
            mentions: ["put.name", ".."]
        ),
        MalformedInput(
            name: "put whose bytes run past the file's size",
            hex: "0000001C 0B 00  0001 61  00  0000000000000002 0000000000000001  00000002 7879",
            code: .invalidField,
            mentions: ["put.bytes", "put.size"]
        ),
        MalformedInput(
            name: "put with unknown flags",
            hex: "0000001A 0B 00  0001 61  02  0000000000000000 0000000000000000  00000000",
            code: .invalidField,
            mentions: ["put.flags"]
        ),
        MalformedInput(
            name: "unknown status in result",
            hex: "00000027 04 00  000000000000000B 0001 07 FFFF 0000000000000000 0000000000000000 0000000000000000",
            code: .unknownStatus,
            mentions: ["result.status", "7"]
        ),
        MalformedInput(
            name: "result too short for its start time",
            hex: "00000020 04 00  000000000000000B 0001 00 0000 0000000000000000 0000000000000000 00",
            code: .truncatedFrame,
            mentions: ["result.startedAt"]
        ),
        MalformedInput(
            name: "failed result without its failure",
            hex: "00000027 04 00  000000000000000A 0001 01 0002 0000000000000000 0000000000000000 0000000000000000",
            code: .truncatedFrame,
            mentions: ["failure.code"]
        ),
        MalformedInput(
            name: "failed result whose message runs past the frame",
            hex: """
                00000037 04 00  000000000000000A 0001 01 0002 0000000000000000 0000000000000000 0000000000000000
                0102 00000194 0009 4854545020343034
                """,
            code: .truncatedFrame,
            mentions: ["failure.message", "9"]
        ),
        MalformedInput(
            name: "trailing bytes after a failed result",
            hex: """
                00000038 04 00  000000000000000A 0001 01 0002 0000000000000000 0000000000000000 0000000000000000
                0102 00000194 0008 4854545020343034 FF
                """,
            code: .trailingBytes,
            mentions: ["result", "1 bytes"]
        ),
        MalformedInput(
            name: "trailing bytes after a cancelled result",
            hex: "00000028 04 00  000000000000000B 0001 02 FFFF 0000000000000000 0000000000000000 0000000000000000 00",
            code: .trailingBytes,
            mentions: ["result", "1 bytes"]
        ),
    ]
}
