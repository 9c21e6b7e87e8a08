import FanoutProtocol
import NIOCore

/// The body of an HTTP GET of `url`: the flag of `country`.
public struct FlagDownload: Job {
    public var country: String
    public var url: String

    public init(country: String, url: String) {
        self.country = country
        self.url = url
    }

    public var spec: JobSpec { .flagDownload(country: self.country, url: self.url) }

    public func output(from output: JobOutput) -> ByteBuffer? {
        guard case .flagDownload(let body) = output else { return nil }
        return body
    }
}
