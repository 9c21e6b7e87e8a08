import FanoutFuzzing
import Foundation
import Testing

/// The fuzzer's properties, held by every input it starts from and every input that once broke one
/// (Fuzz/regressions: each crash the fuzzer finds is committed there).
@Suite("Fuzz corpus and regressions")
struct FuzzCorpusTests {
    static let fuzz = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../Fuzz").standardized

    static func inputs(in folder: String) -> [URL] {
        let directory = Self.fuzz.appending(path: folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { directory.appending(path: $0) }
    }

    @Test("the seed corpus has a frame of every message type, and each holds every property")
    func corpus() throws {
        let inputs = Self.inputs(in: "corpus/frames")
        #expect(inputs.count >= 24)
        for input in inputs {
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
