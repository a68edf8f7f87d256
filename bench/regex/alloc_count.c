/* Counts heap allocations for bench/regex.sh (loaded with LD_PRELOAD): the benchmark reads the
 * count before and after its matching loop through `sluice_bench_allocations`. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

static unsigned long allocations;

unsigned long sluice_bench_allocations(void) { return __atomic_load_n(&allocations, __ATOMIC_RELAXED); }

void *malloc(size_t size) {
    static void *(*real)(size_t);
    if (!real) real = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED);
    return real(size);
}

void *calloc(size_t count, size_t size) {
    static void *(*real)(size_t, size_t);
    if (!real) {
        /* dlsym may itself call calloc: answer that first call from a static buffer. */
        static char early[256];
        static int resolving;
        if (resolving) return early;
        resolving = 1;
        real = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
        resolving = 0;
    }
    __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED);
    return real(count, size);
}

void *realloc(void *pointer, size_t size) {
    static void *(*real)(void *, size_t);
    if (!real) real = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED);
    return real(pointer, size);
}

int posix_memalign(void **pointer, size_t alignment, size_t size) {
    static int (*real)(void **, size_t, size_t);
    if (!real) real = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
    __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED);
    return real(pointer, alignment, size);
}
