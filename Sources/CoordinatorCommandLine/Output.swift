#if canImport(Glibc)
import Glibc
#endif
import FanoutCoordinator

/// Writes `line` to standard error.
public func printError(_ line: String) {
    var line = line + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// The run's console: report lines on standard output, live progress on standard error.
public let sharedConsole = Console.standard()

/// Writes `line` to standard output at once, clearing and redrawing the progress line around it.
@Sendable public func printLine(_ line: String) {
    sharedConsole.line(line)
}
