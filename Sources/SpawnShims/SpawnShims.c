#define _GNU_SOURCE
#include "SpawnShims.h"

#include <fcntl.h>
#include <unistd.h>

int fanout_spawn_file_actions_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int fanout_spawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

int fanout_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}
