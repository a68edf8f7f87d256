import CLinuxShims

/// How the sidecar's heap gives memory back. Bodies of several megabytes are buffered per
/// request; after a burst, glibc's defaults keep that memory: the first large free raises the
/// mmap threshold (up to 32 MiB), so later large buffers come from the heap and stay there
/// (measured: 391 MB still held after fifty 7.5 MB bodies).
package enum HeapTuning {
    /// Allocations of at least `threshold` bytes are mmapped and unmapped when freed. Call once at start.
    package static func returnLargeBuffersToTheKernel(threshold: Int32 = 128 * 1024) {
        sluice_fix_mmap_threshold(threshold)
    }

    /// Gives free memory at the top of every arena back to the kernel.
    package static func trim() {
        sluice_malloc_trim()
    }
}
