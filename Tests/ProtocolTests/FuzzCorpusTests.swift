import FanoutFuzzing
import Foundation
import NIOCore
import Testing

/// The fuzzer's properties, held by every input it starts from and every input that once broke one
/// (Fuzz/regressions: each crash the fuzzer finds is committed there).
///
/// `Fuzz/write-corpus.sh` rewrites the seed corpus from the golden frames after they change: with
/// `FANOUT_WRITE_FUZZ_CORPUS=1` set, the first test writes the files before it checks them.
@Suite("Fuzz corpus and regressions", .serialized)
struct FuzzCorpusTests {
    static let fuzz = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../Fuzz").standardized

    static func inputs(in folder: String) -> [URL] {
        let directory = Self.fuzz.appending(path: folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { directory.appending(path: $0) }
    }

    /// "result ok, flags.download" is in result-ok-flags-download.bin.
    static func fileName(for frameName: String) -> String {
        let words = frameName.lowercased().split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return words.joined(separator: "-") + ".bin"
    }

    /// Replaces every input of the seed corpus with the golden frames, one file each and all in one stream.
    static func writeCorpus(to frames: URL) throws {
        for old in Self.inputs(in: "corpus/frames") {
            try FileManager.default.removeItem(at: old)
        }
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        var stream = Data()
        for golden in GoldenFrame.all {
            let bytes = Data(ByteBuffer(hex: golden.hex).readableBytesView)
            try bytes.write(to: frames.appending(path: Self.fileName(for: golden.name)))
            stream += bytes
        }
        try stream.write(to: frames.appending(path: "every-golden-frame-in-one-stream.bin"))
    }

    @Test("the seed corpus is every golden frame, one file each and all in one stream")
    func corpusIsTheGoldenFrames() throws {
        let frames = Self.fuzz.appending(path: "corpus/frames")
        if ProcessInfo.processInfo.environment["FANOUT_WRITE_FUZZ_CORPUS"] == "1" {
            try Self.writeCorpus(to: frames)
        }
        var stream: [UInt8] = []
        for golden in GoldenFrame.all {
            let expected = Array(ByteBuffer(hex: golden.hex).readableBytesView)
            let file = frames.appending(path: Self.fileName(for: golden.name))
            #expect(try Array(Data(contentsOf: file)) == expected, "\(file.lastPathComponent)")
            stream += expected
        }
        let all = frames.appending(path: "every-golden-frame-in-one-stream.bin")
        #expect(try Array(Data(contentsOf: all)) == stream)
        #expect(Self.inputs(in: "corpus/frames").count == GoldenFrame.all.count + 1)
    }

    @Test("every input of the seed corpus holds every property")
    func corpus() throws {
        for input in Self.inputs(in: "corpus/frames") {
            let bytes = try Data(contentsOf: input)
            let violation = bytes.withUnsafeBytes { FrameProperties.violation(in: $0) }
            #expect(violation == nil, "\(input.lastPathComponent): \(violation ?? "")")
        }
    }

    @Test("every input that once broke a property holds them all now")
    func regressions() throws {
        for input in Self.inputs(in: "regressions") {
            let bytes = try Data(contentsOf: input)
            let violation = bytes.withUnsafeBytes { FrameProperties.violation(in: $0) }
            #expect(violation == nil, "\(input.lastPathComponent): \(violation ?? "")")
        }
    }
}
