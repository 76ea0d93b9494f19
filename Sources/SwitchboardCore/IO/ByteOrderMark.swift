/// The UTF-8 byte-order mark (EF BB BF) that Windows tools (Notepad, Excel's "CSV UTF-8", many
/// export and conversion tools) write at the start of text files.
///
/// It is not content: every reader skips it at the start of a file — ``LineReader`` on the first
/// line, ``JSONParser`` at the start of a JSON text — so the first field, header or value reads
/// as it would without it.
public enum ByteOrderMark {
    /// 3 when `b` starts with the UTF-8 byte-order mark, else 0.
    @inline(__always)
    public static func length(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0
    }

    /// `b` without a leading byte-order mark.
    @inline(__always)
    public static func dropped(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let n = length(b)
        return n == 0 ? b : UnsafeBufferPointer(rebasing: b[n...])
    }
}
