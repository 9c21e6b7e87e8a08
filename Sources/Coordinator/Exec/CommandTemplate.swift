import FanoutBuiltinJobs

/// A command line with GNU Parallel's replacement strings, from which each input's command is made.
///
/// `{}` is the input, `{.}` the input without its extension, `{/}` its basename, `{//}` its dirname, `{/.}` its
/// basename without extension, `{#}` the job's sequence number and `{%}` the number of the worker slot that runs
/// it. `{transfer}` is the worker's run folder, where the files sent with the run are. A command with none of
/// these but `{transfer}` gets the input as a last argument. Run directly, each word is one argument
/// whatever the input holds; run through a shell, the words are joined into one line and each value put in is
/// quoted, so that an input is never read as shell code.
public struct CommandTemplate: Hashable, Sendable {
    enum Token: Hashable, Sendable {
        case text(String)
        case input
        case inputWithoutExtension
        case basename
        case basenameWithoutExtension
        case dirname
        case sequence
        case slot
        case transferFolder
    }

    let words: [[Token]]
    public let shell: Bool

    /// - Throws: ``ClusterError`` with code `invalidCommand` when `words` is empty or its first word is.
    public init(_ words: [String], shell: Bool) throws {
        guard let first = words.first, !first.isEmpty else {
            throw ClusterError(.invalidCommand, "no command was given: put it after --, as in: coordinator exec -- gzip -k ::: a.txt")
        }
        var parsed = words.map(Self.tokens(of:))
        if !parsed.joined().contains(where: { token in
            switch token {
            case .text, .transferFolder: false
            default: true
            }
        }) {
            parsed.append([.input])
        }
        self.words = parsed
        self.shell = shell
    }

    /// The command for `input`, the `sequence`th job (from 1).
    public func command(input: String, sequence: Int) -> [CommandArgument] {
        if self.shell {
            let line = self.words.map { word in
                word.map { token -> [CommandArgument.Part] in
                    switch token {
                    case .text(let text): [.text(text)]
                    case .slot: [.slot]
                    case .transferFolder: [.transferFolder]
                    default: [.text(Exec.shellQuoted(Self.value(of: token, input: input, sequence: sequence)))]
                    }
                }.joined()
            }
            return [CommandArgument(Self.merged(Array(line.joined(separator: [.text(" ")]))))]
        }
        return self.words.map { word in
            CommandArgument(
                Self.merged(
                    word.map { token in
                        if case .slot = token { return .slot }
                        if case .transferFolder = token { return .transferFolder }
                        return .text(Self.value(of: token, input: input, sequence: sequence))
                    }
                )
            )
        }
    }

    /// The command with its replacement strings, as a job log shows it before any input is put in.
    public var description: String {
        self.words.map { word in
            word.map { token in
                switch token {
                case .text(let text): text
                case .input: "{}"
                case .inputWithoutExtension: "{.}"
                case .basename: "{/}"
                case .basenameWithoutExtension: "{/.}"
                case .dirname: "{//}"
                case .sequence: "{#}"
                case .slot: "{%}"
                case .transferFolder: "{transfer}"
                }
            }.joined()
        }.joined(separator: " ")
    }

    private static let replacements: [(String, Token)] = [
        ("{}", .input), ("{.}", .inputWithoutExtension), ("{/}", .basename), ("{/.}", .basenameWithoutExtension),
        ("{//}", .dirname), ("{#}", .sequence), ("{%}", .slot),
        ("{transfer}", .transferFolder),
    ]

    private static func tokens(of word: String) -> [Token] {
        var tokens: [Token] = []
        var text = ""
        var rest = Substring(word)
        while !rest.isEmpty {
            if rest.first == "{", let (string, token) = Self.replacements.first(where: { rest.hasPrefix($0.0) }) {
                if !text.isEmpty { tokens.append(.text(text)) }
                text = ""
                tokens.append(token)
                rest = rest.dropFirst(string.count)
            } else {
                text.append(rest.removeFirst())
            }
        }
        if !text.isEmpty || tokens.isEmpty { tokens.append(.text(text)) }
        return tokens
    }

    private static func value(of token: Token, input: String, sequence: Int) -> String {
        switch token {
        case .text(let text): text
        case .input: input
        case .inputWithoutExtension: Self.withoutExtension(input)
        case .basename: Self.basename(input)
        case .basenameWithoutExtension: Self.withoutExtension(Self.basename(input))
        case .dirname: Self.dirname(input)
        case .sequence: String(sequence)
        case .slot: "{%}"
        case .transferFolder: "{transfer}"
        }
    }

    static func basename(_ path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }

    static func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `path` without the extension of its last component: `a/b.tar.gz` is `a/b.tar`; `a.d/b` stays.
    static func withoutExtension(_ path: String) -> String {
        let name = Self.basename(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return path }
        return String(path.dropLast(name.distance(from: dot, to: name.endIndex)))
    }

    /// Adjacent text parts joined, so that an argument travels as few parts as it can.
    private static func merged(_ parts: [CommandArgument.Part]) -> [CommandArgument.Part] {
        var merged: [CommandArgument.Part] = []
        for part in parts {
            if case .text(let text) = part, case .text(let previous)? = merged.last {
                merged[merged.count - 1] = .text(previous + text)
            } else {
                merged.append(part)
            }
        }
        return merged.isEmpty ? [.text("")] : merged
    }
}
