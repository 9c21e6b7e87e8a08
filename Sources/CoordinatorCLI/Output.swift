#if canImport(Glibc)
import Glibc
#endif

/// Writes `line` to standard error.
func printError(_ line: String) {
    var line = line + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// Writes `line` to standard output at once, so progress shows as it happens.
@Sendable func printLine(_ line: String) {
    print(line)
    fflush(nil)
}
