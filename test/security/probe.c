/* A syscall probe run inside test containers (compiled static by the tests): each
 * argument names one call; it prints "NAME ok" or "NAME errno N" per call. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <linux/bpf.h>

static long call(const char *name, char *arg) {
  if (!strcmp(name, "keyctl")) return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
  if (!strcmp(name, "add_key")) return syscall(SYS_add_key, "user", "probe", "x", 1, -3);
  if (!strcmp(name, "bpf")) {
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 1;
    return syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
  }
  if (!strcmp(name, "perf_event_open")) {
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = PERF_TYPE_SOFTWARE;
    a.config = PERF_COUNT_SW_CPU_CLOCK;
    a.exclude_kernel = 1;
    return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
  }
  if (!strcmp(name, "unshare_user")) return unshare(CLONE_NEWUSER);
  if (!strcmp(name, "unshare_net")) return unshare(CLONE_NEWNET);
  if (!strcmp(name, "getpid")) return getpid();
  if (!strcmp(name, "ptrace_attach")) return ptrace(PTRACE_ATTACH, atoi(arg), 0, 0);
  if (!strcmp(name, "open_exe")) {
    char p[64];
    snprintf(p, sizeof p, "/proc/%s/exe", arg);
    return open(p, O_RDONLY);
  }
  errno = EINVAL;
  return -1;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char *arg = strchr(argv[i], '=');
    if (arg) *arg++ = 0;
    errno = 0;
    long r = call(argv[i], arg);
    if (r < 0) printf("%s errno %d\n", argv[i], errno);
    else printf("%s ok\n", argv[i]);
  }
  return 0;
}
