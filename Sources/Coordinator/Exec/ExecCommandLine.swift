import Foundation

/// What follows `--` on `coordinator exec`'s command line: the command's words, then where its inputs come from.
public struct ExecCommandLine: Hashable, Sendable {
    /// Where the inputs come from, one job each.
    public enum Source: Hashable, Sendable {
        /// The words after `:::`.
        case arguments([String])
        /// The lines of the files after `::::`, one file after another.
        case files([String])
        /// The lines of standard input, when neither separator is given.
        case standardInput
    }

    public var command: [String]
    public var source: Source

    /// Splits `words` at `:::` or `::::`.
    ///
    /// - Throws: ``ClusterError`` with code `invalidInputs` for a separator with nothing after it, or a second one
    ///   (GNU Parallel would combine the sources; Fanout takes one).
    public init(_ words: [String]) throws {
        guard let separator = words.firstIndex(where: { $0 == ":::" || $0 == "::::" }) else {
            self.command = words
            self.source = .standardInput
            return
        }
        self.command = Array(words[..<separator])
        let rest = Array(words[(separator + 1)...])
        if let second = rest.first(where: { $0 == ":::" || $0 == "::::" }) {
            throw ClusterError(
                .invalidInputs,
                "a second input source (\(second)) was given after \(words[separator]); give one :::, or one :::: with its files"
            )
        }
        guard !rest.isEmpty else {
            throw ClusterError(.invalidInputs, "\(words[separator]) is the last word: give the \(words[separator] == ":::" ? "inputs" : "files") after it")
        }
        self.source = words[separator] == ":::" ? .arguments(rest) : .files(rest)
    }

    /// The inputs, in order: the arguments, or the lines of the files or of standard input, without their line
    /// endings. An empty line is an input too, as in GNU Parallel.
    ///
    /// - Throws: ``ClusterError`` with code `invalidInputs` naming a file that cannot be read.
    public func inputs() throws -> [String] {
        switch self.source {
        case .arguments(let inputs):
            return inputs
        case .files(let paths):
            return try paths.flatMap { path in
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ClusterError(.invalidInputs, "cannot read the input file \(path) given after ::::")
                }
                return Self.lines(data)
            }
        case .standardInput:
            return Self.lines(FileHandle.standardInput.readDataToEndOfFile())
        }
    }

    static func lines(_ data: Data) -> [String] {
        guard !data.isEmpty else { return [] }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
