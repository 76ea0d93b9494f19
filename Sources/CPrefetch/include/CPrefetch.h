#ifndef SWITCHBOARD_CPREFETCH_H
#define SWITCHBOARD_CPREFETCH_H

/// Asks the CPU to bring the cache line holding `address` closer (a hint: never faults,
/// any address is allowed). Used by the metrics scan to overlap hash-table misses with
/// SQLite's work on the next row, and by ByteInterner.merge to overlap them with each other.
static inline void sb_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
