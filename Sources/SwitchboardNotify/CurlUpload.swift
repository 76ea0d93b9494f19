import CCurl
import Foundation
import SwitchboardCore

/// One libcurl transfer that sends a byte body and keeps what comes back: what the SMTP and the HTTP senders
/// share (global initialisation, the read callback, the error buffer, libcurl's error as text). Each sender
/// sets its own options on ``handle`` and then calls ``perform()``. Blocking; one transfer per instance.
final class CurlUpload {
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    let handle: UnsafeMutableRawPointer
    private let body: [UInt8]
    private var offset = 0
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Header lines as received (SMTP: the server's replies), trimmed, when ``keepHeaderLines()`` was called.
    private(set) var headerLines: [String] = []
    /// The answer's body, at most ``bodyLimit`` bytes, when ``keepBody(limit:)`` was called.
    private(set) var received: [UInt8] = []
    private var bodyLimit = 0

    /// - Throws: ``NotificationError`` `.network` when libcurl cannot make a handle.
    init(body: [UInt8]) throws {
        _ = Self.globalInit
        guard let h = curl_easy_init() else { throw NotificationError(.network, "cannot initialise libcurl") }
        handle = h
        self.body = body
        errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let read: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { buffer, size, count, data in
            guard let buffer, let data else { return 0 }
            let upload = Unmanaged<CurlUpload>.fromOpaque(data).takeUnretainedValue()
            let n = min(size * count, upload.body.count - upload.offset)
            guard n > 0 else { return 0 }
            upload.body.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + upload.offset, byteCount: n)
            }
            upload.offset += n
            return n
        }
        sb_curl_setopt_pointer(h, CURLOPT_READFUNCTION, unsafeBitCast(read, to: UnsafeMutableRawPointer.self))
        sb_curl_setopt_pointer(h, CURLOPT_READDATA, context)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    private var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// Keeps the header lines (libcurl hands SMTP's reply lines to the header callback).
    func keepHeaderLines() {
        let header: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { buffer, size, count, data in
            guard let buffer, let data else { return size * count }
            let upload = Unmanaged<CurlUpload>.fromOpaque(data).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: size * count), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if !line.isEmpty { upload.headerLines.append(line) }
            return size * count
        }
        sb_curl_setopt_pointer(handle, CURLOPT_HEADERFUNCTION, unsafeBitCast(header, to: UnsafeMutableRawPointer.self))
        sb_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
    }

    /// Keeps the first `limit` bytes of the answer's body.
    func keepBody(limit: Int) {
        bodyLimit = limit
        sb_curl_setopt_write(handle, { data, size, count, context in
            guard let data, let context else { return size * count }
            let upload = Unmanaged<CurlUpload>.fromOpaque(context).takeUnretainedValue()
            let n = size * count
            let keep = min(n, upload.bodyLimit - upload.received.count)
            if keep > 0 { upload.received.append(contentsOf: UnsafeRawBufferPointer(start: UnsafeRawPointer(data), count: keep)) }
            return n
        }, context)
    }

    /// Runs the transfer; nil when it worked, else libcurl's code and its error text (with the buffer's detail).
    func perform() -> (code: CURLcode, text: String)? {
        sb_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        let rc = withExtendedLifetime(self) { curl_easy_perform(handle) }
        sb_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
        guard rc != CURLE_OK else { return nil }
        let detail = String(cString: errorBuffer)
        return (rc, String(cString: curl_easy_strerror(rc)) + (detail.isEmpty ? "" : " (\(detail))"))
    }
}
