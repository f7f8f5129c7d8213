/* An LD_PRELOAD allocation counter for Benchmarks/ (built by bench.py with gcc into Benchmarks/work/).
 *
 * Every allocating entry point of the C library (malloc, calloc, realloc, memalign, posix_memalign,
 * aligned_alloc, valloc, pvalloc) is wrapped: the call is counted, then forwarded to glibc's own
 * implementation (__libc_*). Swift's runtime (swift_slowAlloc), FFmpeg (av_malloc → posix_memalign) and
 * C++ operator new all end up here, so the count covers every heap allocation of the process, on every
 * thread. seccam-bench reads the counters through dlsym(RTLD_DEFAULT, "seccam_malloc_count"); without
 * the preload it reports allocations as unknown. free() is not counted. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);
extern void *__libc_pvalloc(size_t);

static uint64_t count_calls;
static uint64_t count_bytes;

static inline void note(size_t size) {
    __atomic_fetch_add(&count_calls, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&count_bytes, size, __ATOMIC_RELAXED);
}

/* Allocations so far (calls) and bytes requested so far, process-wide. */
uint64_t seccam_malloc_count(void) { return __atomic_load_n(&count_calls, __ATOMIC_RELAXED); }
uint64_t seccam_malloc_bytes(void) { return __atomic_load_n(&count_bytes, __ATOMIC_RELAXED); }

void *malloc(size_t size) { note(size); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { note(n * size); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { note(size); return __libc_realloc(p, size); }
void *memalign(size_t alignment, size_t size) { note(size); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { note(size); return __libc_memalign(alignment, size); }
void *valloc(size_t size) { note(size); return __libc_valloc(size); }
void *pvalloc(size_t size) { note(size); return __libc_pvalloc(size); }

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    note(size);
    void *p = __libc_memalign(alignment, size);
    if (p == NULL && size != 0) return ENOMEM;
    *out = p;
    return 0;
}
