import Foundation

/// A one-way "stop now" flag that async code can also wait for. Triggered by graceful
/// shutdown; waiting is cancellable.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var triggered = false
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextID: UInt64 = 0

    public init() {}

    /// Whether ``trigger()`` was called.
    public var isTriggered: Bool { lock.withLock { triggered } }

    /// Sets the flag and wakes every waiter; later calls do nothing.
    public func trigger() {
        let woken: [CheckedContinuation<Void, Never>] = lock.withLock {
            guard !triggered else { return [] }
            triggered = true
            defer { waiters = [:] }
            return Array(waiters.values)
        }
        for w in woken { w.resume() }
    }

    /// Returns once triggered, or when the calling task is cancelled.
    public func wait() async {
        let id: UInt64 = lock.withLock {
            nextID += 1
            return nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = lock.withLock {
                    if triggered || Task.isCancelled { return true }
                    waiters[id] = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let c = lock.withLock { waiters.removeValue(forKey: id) }
            c?.resume()
        }
    }
}
