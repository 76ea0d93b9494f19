import Foundation
import Hummingbird
import Logging

/// Bytes of request bodies held in memory by every connection of one server together
/// (`server.body_memory`), so many slow or large bodies at once cannot exhaust memory. Says so once
/// when it is full (again only after it has drained below half).
final class BodyBudget: @unchecked Sendable {
    let capacity: Int
    let logger: Logger
    private var used = 0
    private var warned = false
    private let lock = NSLock()

    init(capacity: Int, logger: Logger) {
        self.capacity = capacity
        self.logger = logger
    }

    /// Takes `bytes` from the budget; false (and nothing taken) when that would go past it.
    func reserve(_ bytes: Int) -> Bool {
        let (taken, warn) = lock.withLock {
            guard used + bytes <= capacity else {
                defer { warned = true }
                return (false, !warned)
            }
            used += bytes
            return (true, false)
        }
        if warn {
            logger.warning("""
                request bodies in progress fill server.body_memory (\(capacity) bytes): further bodies are answered \
                503 with Retry-After until some finish. Raise server.body_memory if these are real deliveries; slow \
                ones are closed after server.body_timeout
                """)
        }
        return taken
    }

    func release(_ bytes: Int) {
        lock.withLock {
            used -= bytes
            if used < capacity / 2 { warned = false }
        }
    }

    /// Bytes taken now.
    var inUse: Int { lock.withLock { used } }
}

/// Reads a request body into memory, counting every part against `max_body` and the shared
/// ``BodyBudget`` as it arrives, so a body is refused at the part that goes over rather than
/// after it has been buffered.
struct BodyReader: Sendable {
    /// Why a body was not read.
    enum Failure: Error {
        /// Longer than `max_body` (declared or received): 413.
        case tooLarge
        /// The bodies being received by all connections already fill `body_memory`: 503, retry later.
        case busy
        /// The connection ended or timed out before the body did.
        case incomplete
    }

    let limit: Int
    let budget: BodyBudget

    /// Reads the body of a request that declared `declaredLength` bytes (nil when chunked), runs `use`
    /// with it, then gives its bytes back to the budget.
    func withBody<T>(_ body: RequestBody, declaredLength: Int?, _ use: (Data) async -> T) async throws(Failure) -> T {
        if let declaredLength, declaredLength > limit { throw .tooLarge }
        var reserved = 0
        defer { budget.release(reserved) }
        var data = Data()
        data.reserveCapacity(min(declaredLength ?? 16 << 10, limit))
        do {
            for try await part in body {
                let n = part.readableBytes
                guard data.count + n <= limit else { throw Failure.tooLarge }
                guard budget.reserve(n) else { throw Failure.busy }
                reserved += n
                part.withUnsafeReadableBytes { data.append($0.assumingMemoryBound(to: UInt8.self)) }
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .incomplete
        }
        if let declaredLength, data.count != declaredLength { throw .incomplete }
        return await use(data)
    }
}
