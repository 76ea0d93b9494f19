#if canImport(Glibc)
import Glibc
#endif

/// Keeps a big import's memory flat. The parser allocates each record's strings on
/// one thread and the store frees them on another; with glibc's default of up to
/// 8 malloc arenas per core, freed blocks scatter over arenas that the next batch
/// does not reuse, and resident memory creeps up with the input size (measured:
/// 146 MiB after 10^6 WhatsApp messages, 108 MiB with one arena, same speed).
enum ImportMemory {
    /// Limits glibc to two malloc arenas for the rest of the process (import commands only:
    /// the server keeps the default for its concurrent requests).
    static func limitArenas() {
        #if canImport(Glibc)
        // mallopt(M_ARENA_MAX = -8, 2); <malloc.h> is not part of the Glibc module, so look it up.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(-8, 2)
        #endif
    }
}
