#ifndef FANOUT_SPAWN_SHIMS_H
#define FANOUT_SPAWN_SHIMS_H

#include <spawn.h>

/// glibc's posix_spawn_file_actions_addchdir_np, which Swift's Glibc module does not declare.
int fanout_spawn_file_actions_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// glibc's posix_spawn_file_actions_addclosefrom_np (glibc 2.34 and later), which Swift's Glibc module does not
/// declare.
int fanout_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int from);

/// pipe2(fds, O_CLOEXEC), which Swift's Glibc module does not declare.
int fanout_pipe_cloexec(int fds[2]);

/// pidfd_open(pid, 0): a descriptor that polls readable once the process has exited; -1 with errno set (ENOSYS
/// before Linux 5.3).
int fanout_pidfd_open(pid_t pid);

#endif
