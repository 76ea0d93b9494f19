#ifndef SWITCHBOARD_CPREFETCH_H
#define SWITCHBOARD_CPREFETCH_H

#include <stddef.h>
#include <stdint.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

/// Asks the CPU to bring the cache line holding `address` closer (a hint: never faults,
/// any address is allowed). Used by the metrics scan to overlap hash-table misses with
/// SQLite's work on the next row, and by ByteInterner.merge to overlap them with each other.
static inline void sb_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

/// Asks Linux to back the whole 2 MiB pages inside [address, address + length) with huge pages
/// (a hint; nothing elsewhere). For big hash tables read at random: one TLB entry covers 512 times
/// more of them, and a prefetch into them is not dropped for want of a translation.
static inline void sb_hugepages(void *address, size_t length) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t start = ((uintptr_t)address + huge - 1) & ~(huge - 1);
    uintptr_t end = ((uintptr_t)address + length) & ~(huge - 1);
    if (end > start) (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)address;
    (void)length;
#endif
}

#endif
