import AsyncHTTPClient
import FanoutJobs
import Foundation
import NIOCore

/// The body of an HTTP GET of `url`, following redirects: the flag of `country`.
public struct FlagDownload: Job {
    public typealias Output = ByteBuffer

    public static let kind = JobKindName("flags.download", version: 1)

    public var country: String
    public var url: String

    public init(country: String, url: String) {
        self.country = country
        self.url = url
    }

    public var inputDescription: String { self.country }

    public init(input buffer: inout ByteBuffer) throws {
        self.country = try buffer.readWireString(field: "country")
        self.url = try buffer.readWireString(field: "url")
    }

    public func encodeInput(into buffer: inout ByteBuffer) throws {
        try buffer.writeWireString(self.country, field: "country")
        try buffer.writeWireString(self.url, field: "url")
    }

    public static func encodeOutput(_ output: ByteBuffer, into buffer: inout ByteBuffer) throws {
        buffer.writeImmutableBuffer(output)
    }

    public static func decodeOutput(from buffer: inout ByteBuffer) throws -> ByteBuffer {
        buffer.readSlice(length: buffer.readableBytes) ?? ByteBuffer()
    }

    public func run(in context: JobContext) async throws -> ByteBuffer {
        let country = self.country
        let url = self.url
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https", parsed.host != nil
        else {
            throw JobFailure(code: .invalidJob, message: "flag of \(country): \"\(url)\" is not an http(s) URL")
        }
        let limit = context.maximumOutputLength
        do {
            let response = try await context.httpClient.execute(HTTPClientRequest(url: url), timeout: .init(context.httpRequestTimeout))
            guard (200..<300).contains(response.status.code) else {
                throw JobFailure(
                    code: .httpStatus,
                    detail: UInt32(response.status.code),
                    message: "flag of \(country): GET \(url) answered \(response.status.code) \(response.status.reasonPhrase)"
                )
            }
            return try await response.body.collect(upTo: limit)
        } catch let failure as JobFailure {
            throw failure
        } catch is CancellationError {
            throw JobFailure(code: .jobFailed, message: "flag of \(country): download cancelled")
        } catch let error as NIOTooManyBytesError {
            throw JobFailure(code: .jobFailed, message: "flag of \(country): body is over \(limit) bytes (\(error))")
        } catch {
            throw JobFailure(code: .networkError, message: "flag of \(country): GET \(url) failed: \(error)")
        }
    }
}
