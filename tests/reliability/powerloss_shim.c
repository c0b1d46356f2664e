/* Power loss, test-only: an LD_PRELOAD library that remembers every watched file as it was
 * at its last fsync/fdatasync — what a disk that drops unsynced writes keeps after the power
 * goes. Before passing each fsync/fdatasync on, a regular file whose path starts with
 * $XQB_POWERLOSS_WATCH is copied whole to $XQB_POWERLOSS_SNAP/<its name>, and a line
 * "<name> <bytes>" is appended to $XQB_POWERLOSS_SNAP/fsyncs.log.
 *
 * Built by tests/reliability/test_power_loss.py with the system C compiler.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void snapshot(int fd) {
    const char *watch = getenv("XQB_POWERLOSS_WATCH");
    const char *snap = getenv("XQB_POWERLOSS_SNAP");
    if (!watch || !snap) return;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return;
    path[n] = 0;
    if (strncmp(path, watch, strlen(watch)) != 0) return;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return;
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    char tmp[PATH_MAX], dst[PATH_MAX], log[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", snap, name);
    snprintf(dst, sizeof dst, "%s/%s", snap, name);
    snprintf(log, sizeof log, "%s/fsyncs.log", snap);
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) return;
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) { close(in); return; }
    char buf[1 << 16];
    long long total = 0;
    ssize_t got;
    while ((got = read(in, buf, sizeof buf)) > 0) {
        if (write(out, buf, (size_t)got) != got) break;
        total += got;
    }
    close(in);
    close(out);
    rename(tmp, dst);
    FILE *f = fopen(log, "a");
    if (f) { fprintf(f, "%s %lld\n", name, total); fclose(f); }
}

int fsync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    snapshot(fd);
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    snapshot(fd);
    return real(fd);
}
