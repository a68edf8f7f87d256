#ifndef SLUICE_CLINUXSHIMS_H
#define SLUICE_CLINUXSHIMS_H
// Linux system calls that Glibc's Swift module does not export.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <pthread.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>
#include <malloc.h>

/// Large buffers (request bodies, held responses) come from mmap and go back to the kernel when
/// freed: a fixed threshold stops glibc from raising it after the first large free, which kept
/// a burst's memory in the heap for good.
static inline void sluice_fix_mmap_threshold(int bytes) { (void)mallopt(M_MMAP_THRESHOLD, bytes); }

/// Returns free heap memory at the top of every arena to the kernel.
static inline void sluice_malloc_trim(void) { (void)malloc_trim(0); }

/// errno, read through a function so Swift sees the thread-local value.
static inline int sluice_errno(void) { return errno; }

// Declared here rather than through _GNU_SOURCE, which would make these headers
// disagree with Glibc's Swift module about shared types.
extern int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

static inline int sluice_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}

/// epoll_event is packed on x86_64; build and read it in C so Swift never sees the layout.
static inline int sluice_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

/// Waits for events; fills parallel arrays of event masks and user data.
static inline int sluice_epoll_wait(int epfd, uint32_t *events, uint64_t *datas, int max, int timeout_ms) {
    struct epoll_event evs[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) { events[i] = evs[i].events; datas[i] = evs[i].data.u64; }
    return n;
}

static inline uint64_t sluice_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t sluice_realtime_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline int sluice_timerfd_set_ns(int fd, uint64_t delay_ns) {
    struct itimerspec spec = {0};
    // A zero it_value disarms the timer; arm at least one nanosecond.
    if (delay_ns == 0) delay_ns = 1;
    spec.it_value.tv_sec = (time_t)(delay_ns / 1000000000ull);
    spec.it_value.tv_nsec = (long)(delay_ns % 1000000000ull);
    return timerfd_settime(fd, 0, &spec, NULL);
}

/// Blocks the given signals in the calling thread and returns a signalfd for them.
static inline int sluice_signalfd_for(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/// Blocks signals in the calling thread (threads started later inherit the mask).
static inline int sluice_block_signals(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static inline void sluice_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }

static inline int sluice_signalfd_read_signo(int fd) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof info);
    if (n != (ssize_t)sizeof info) return -1;
    return (int)info.ssi_signo;
}
#endif
