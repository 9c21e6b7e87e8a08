#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FanoutProtocol
import NIOCore

/// A file sent to each worker's run folder before that worker's first job, as GNU Parallel's `--basefile`.
///
/// A job finds it in ``FanoutJobs/JobContext/transferFolder``, and a command by a relative path or `{transfer}`.
/// The folder, and the file with it, is removed when the worker's connection ends.
public struct TransferFile: Hashable, Sendable {
    /// The file's name in the run folder: one path component.
    public var name: String
    public var contents: ByteBuffer
    /// Whether the file is made executable on the worker.
    public var executable: Bool

    /// - Throws: ``ClusterError`` with code `invalidFileName` when `name` is not a single file name.
    public init(name: String, contents: ByteBuffer, executable: Bool = false) throws(ClusterError) {
        if let problem = Put.problem(withName: name) {
            throw ClusterError(.invalidFileName, "the transfer file name \"\(name)\" \(problem)")
        }
        self.name = name
        self.contents = contents
        self.executable = executable
    }

    /// The regular file at `path`, read now, named by its last path component and executable on the worker when
    /// it is executable here.
    ///
    /// - Throws: ``ClusterError`` with code `unreadableFile`, naming the path and the system's reason; a FIFO,
    ///   a folder or a device is not read.
    public init(contentsOf path: String) throws(ClusterError) {
        let file: (bytes: [UInt8], mode: mode_t)
        do {
            file = try LocalFile.readRegularFile(path)
        } catch {
            throw ClusterError(.unreadableFile, "cannot send a file to the workers: \(error)", cause: error)
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        try self.init(name: name, contents: ByteBuffer(bytes: file.bytes), executable: file.mode & 0o111 != 0)
    }

    /// The most bytes of a file one put carries: small enough that each frame's deadline measures progress on
    /// a slow link.
    static let maximumChunkBytes = 1 << 20

    /// The puts that carry the file within `limits`.
    func puts(within limits: FrameLimits) -> [Put] {
        // Room for the frame's header and the put's own fields, with its name at the longest.
        let overhead = FrameHeader.typeAndFlagsLength + 2 + Put.maximumNameLength + 1 + 8 + 8 + 4
        let chunkBytes = max(1, min(Self.maximumChunkBytes, limits.maximumFrameLength - overhead))
        return Put.chunks(name: self.name, executable: self.executable, contents: self.contents, chunkBytes: chunkBytes)
    }
}
