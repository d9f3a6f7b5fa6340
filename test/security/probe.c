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
#include <dirent.h>
#include <time.h>
#include <sys/wait.h>

/* Watches /proc for `seconds`: for every process whose argv[0] is dockerinit (the exec helper),
 * tries to open its /proc/N/exe and to PTRACE_ATTACH it. Prints the counts. */
static int watch(int seconds) {
  long seen = 0, exe_opened = 0, exe_raced = 0, attached = 0, exe_denied = 0, attach_denied = 0, exec_raced = 0;
  int self = getpid();
  time_t end = time(NULL) + seconds;
  while (time(NULL) < end) {
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
      int pid = atoi(e->d_name);
      if (pid <= 1 || pid == self) continue;
      char p[64], comm[64] = {0};
      snprintf(p, sizeof p, "/proc/%d/cmdline", pid);
      int fd = open(p, O_RDONLY);
      if (fd < 0) continue;
      int n = read(fd, comm, sizeof comm - 1);
      close(fd);
      if (n <= 0 || strncmp(comm, "dockerinit", 10) != 0) continue;
      seen++;
      snprintf(p, sizeof p, "/proc/%d/exe", pid);
      fd = open(p, O_RDONLY);
      if (fd >= 0) {
        close(fd);
        /* Opened: was it still the helper, or the command it exec'd in between (whose
         * exe is the container's own file)? exec is one-way, so a helper's cmdline
         * read after the open means the open hit the helper. */
        char after[64] = {0};
        snprintf(p, sizeof p, "/proc/%d/cmdline", pid);
        int cfd = open(p, O_RDONLY);
        if (cfd >= 0) { read(cfd, after, sizeof after - 1); close(cfd); }
        if (!strncmp(after, "dockerinit", 10)) exe_opened++;
        else exe_raced++;
        continue;
      } else exe_denied++;
      /* SEIZE: the same access check as ATTACH, without stopping a process that
       * turns out to be the container's own command (exec'd in between). */
      if (ptrace(PTRACE_SEIZE, pid, 0, 0) == 0) {
        ptrace(PTRACE_INTERRUPT, pid, 0, 0);
        waitpid(pid, NULL, __WALL);
        /* Stopped now: still the helper, or already the command it exec'd? */
        char again[64] = {0};
        snprintf(p, sizeof p, "/proc/%d/cmdline", pid);
        fd = open(p, O_RDONLY);
        if (fd >= 0) { read(fd, again, sizeof again - 1); close(fd); }
        if (!strncmp(again, "dockerinit", 10)) attached++;
        else exec_raced++;
        ptrace(PTRACE_DETACH, pid, 0, 0);
      } else attach_denied++;
    }
    if (d) closedir(d);
  }
  printf("seen %ld exe_opened %ld exe_denied %ld attached %ld attach_denied %ld exec_raced %ld exe_raced %ld\n", seen, exe_opened, exe_denied, attached, attach_denied, exec_raced, exe_raced);
  return 0;
}

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
  if (argc == 3 && !strcmp(argv[1], "watch")) return watch(atoi(argv[2]));
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
