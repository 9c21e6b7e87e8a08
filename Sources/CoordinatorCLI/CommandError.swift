/// A command could not run: what and where.
struct CommandError: Error, CustomStringConvertible {
    var description: String
}
