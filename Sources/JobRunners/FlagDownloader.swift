import AsyncHTTPClient
import FanoutProtocol
import Foundation
import NIOCore
import NIOHTTP1

/// Downloads a flag with an HTTP GET, following redirects; the body is the output.
public struct FlagDownloader: Sendable {
    let client: HTTPClient
    /// The largest body accepted; more would not fit a result frame.
    let maximumBodySize: Int
    /// How long the whole request may take.
    let requestTimeout: TimeAmount

    public init(client: HTTPClient, maximumBodySize: Int, requestTimeout: TimeAmount) {
        self.client = client
        self.maximumBodySize = maximumBodySize
        self.requestTimeout = requestTimeout
    }

    /// An HTTP client with the connect and read timeouts given, following up to five redirects.
    public static func makeClient(connectTimeout: TimeAmount, readTimeout: TimeAmount) -> HTTPClient {
        HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                redirectConfiguration: .follow(max: 5, allowCycles: false),
                timeout: HTTPClient.Configuration.Timeout(connect: connectTimeout, read: readTimeout)
            )
        )
    }

    func download(country: String, url: String) async -> JobOutcome {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https", parsed.host != nil
        else {
            return .failed(JobFailure(code: .invalidJob, message: "flag of \(country): \"\(url)\" is not an http(s) URL"))
        }
        do {
            let request = HTTPClientRequest(url: url)
            let response = try await self.client.execute(request, timeout: self.requestTimeout)
            guard (200..<300).contains(response.status.code) else {
                return .failed(
                    JobFailure(
                        code: .httpStatus,
                        detail: UInt32(response.status.code),
                        message: "flag of \(country): GET \(url) answered \(response.status.code) \(response.status.reasonPhrase)"
                    )
                )
            }
            let body = try await response.body.collect(upTo: self.maximumBodySize)
            return .ok(.flagDownload(body))
        } catch is CancellationError {
            return .failed(JobFailure(code: .jobFailed, message: "flag of \(country): download cancelled"))
        } catch let error as NIOTooManyBytesError {
            return .failed(
                JobFailure(
                    code: .jobFailed,
                    message: "flag of \(country): body is over \(self.maximumBodySize) bytes (\(error))"
                )
            )
        } catch {
            return .failed(JobFailure(code: .networkError, message: "flag of \(country): GET \(url) failed: \(error)"))
        }
    }
}
