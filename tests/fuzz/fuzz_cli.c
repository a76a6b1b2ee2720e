/* fuzz_cli.c — libFuzzer harness: bytes split on NUL into argv (after
 * "loadtop") → cli_parse() → cli_free(). Parsing only: nothing runs, no
 * file is read. Usage errors go to stderr (run with -close_fd_mask=2). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { MAX_ARGS = 512 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a private NUL-terminated copy: cli keeps pointers into argv */
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "loadtop";
    for (size_t i = 0; i <= size && argc < MAX_ARGS + 1;) {
        argv[argc++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    argv[argc] = NULL;
    struct options o;
    if (cli_parse(argc, argv, &o) == 0)
        cli_free(&o);
    free(buf);
    return 0;
}
