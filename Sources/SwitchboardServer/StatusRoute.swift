import Hummingbird

extension Router {
    /// `GET /status`: the JSON the provider returns (the pull scheduler's per-source state).
    func addStatusRoute(_ provider: @escaping @Sendable () async -> [UInt8]) {
        get("/status") { _, _ in
            let body = await provider()
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
