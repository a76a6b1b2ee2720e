/* unit.c — runs every TEST() linked into tests/unit. */
#include <stdlib.h>

#include "test.h"

struct test_entry {
    const char *name;
    test_fn fn;
};
static struct test_entry tests[512];
static int ntests;

void test_register(const char *name, test_fn fn)
{
    if (ntests < (int)(sizeof tests / sizeof tests[0]))
        tests[ntests++] = (struct test_entry){name, fn};
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (int i = 0; i < ntests; i++) {
        if (argc > 1 && !strstr(tests[i].name, argv[1]))
            continue;
        int f = 0;
        tests[i].fn(&f);
        printf("%s %s\n", f ? "not ok" : "ok", tests[i].name);
        fflush(stdout);
        if (f)
            failed++;
        else
            passed++;
    }
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
