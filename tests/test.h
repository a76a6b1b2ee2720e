/* test.h — a tiny test runner in the spirit of redis/libuv's: TEST(name)
 * registers a test (constructor attribute), ASSERT_* print both values and
 * the place, main() in tests/unit.c runs them all (or those whose name
 * contains argv[1]) and prints "N passed, N failed". */
#ifndef LOADTOP_TEST_H
#define LOADTOP_TEST_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(int *failed);
void test_register(const char *name, test_fn fn);

#define TEST(name)                                                                                 \
    static void test_##name(int *failed_);                                                         \
    __attribute__((constructor)) static void test_reg_##name(void)                                 \
    {                                                                                              \
        test_register(#name, test_##name);                                                         \
    }                                                                                              \
    static void test_##name(int *failed_)

#define TEST_FAIL_(...)                                                                            \
    do {                                                                                           \
        fprintf(stderr, "    %s:%d: ", __FILE__, __LINE__);                                        \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fprintf(stderr, "\n");                                                                     \
        *failed_ = 1;                                                                              \
        return;                                                                                    \
    } while (0)

#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (!(c))                                                                                  \
            TEST_FAIL_("assertion failed: %s", #c);                                                \
    } while (0)

#define ASSERT_EQ(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_)                                                                              \
            TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_);                                  \
    } while (0)

#define ASSERT_NEAR(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (double)(a), b_ = (double)(b);                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            TEST_FAIL_("%s ~= %s: %.9g vs %.9g (eps %g)", #a, #b, a_, b_, (double)(eps));          \
    } while (0)

#define ASSERT_STR(a, b)                                                                           \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_))                                                          \
            TEST_FAIL_("%s == %s:\n      got      \"%s\"\n      expected \"%s\"", #a, #b,          \
                       a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                    \
    } while (0)

#endif
