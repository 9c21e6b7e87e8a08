/// Who sent a job, and what they sent with it: what its session knows that the job's context carries.
struct JobOrigin: Sendable {
    /// The subject of the certificate of the coordinator that sent the job.
    var requester: String?
    /// The session's run folder, holding the files its coordinator sent; nil when it sent none.
    var transferFolder: String?
}
