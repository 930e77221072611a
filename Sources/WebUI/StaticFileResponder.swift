import Foundation
import HTTPTypes
import Hummingbird

/// Answers GETs for the UI's files: 200 with the file, or 304 when the browser's
/// `If-None-Match` already names the current ETag.
///
/// `Cache-Control: no-cache` lets browsers keep the files but makes them ask every time: file
/// names carry no content hash, so a cached copy must never outlive a new binary, and the 304 that
/// asking costs is a few hundred bytes.
struct StaticFileResponder: Sendable {
    let assets: WebAssets

    func respond(to request: Request, name: String) -> Response {
        guard let asset = assets[name] else {
            var headers = SecurityHeaders.fields
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .notFound, headers: headers, body: .init(byteBuffer: .init(string: "not found\n")))
        }
        var headers = SecurityHeaders.fields
        headers[.eTag] = asset.etag
        headers[.cacheControl] = "no-cache"
        if let match = request.headers[.ifNoneMatch], Self.matches(match, etag: asset.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }

    /// `If-None-Match` holds a list of tags, or `*`; weak tags compare by their value.
    static func matches(_ header: String, etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }
}
