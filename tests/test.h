/* test.h — a tiny test runner in the spirit of libuv's (test/runner.c,
 * test/task.h). TEST(name) registers a test (constructor attribute);
 * main() in tests/unit.c runs each one in its own process (fork) under a
 * time limit, so that a failed assertion, a crash or a hang ends that test
 * alone and leaves no thread behind; it prints "ok NAME" / "not ok NAME"
 * (with "(signal N: SIGxxx)" or "(timed out after Ns)" when the process did
 * not end by itself) and "unit: N passed, N failed".
 *
 *   TEST(name) { ... }                  a test with the default limit (10 s)
 *   TEST_TIMEOUT(name, seconds) { ... } a test that may take longer
 *   ASSERT(cond)                        ASSERT_EQ ASSERT_NE ASSERT_LT ASSERT_LE
 *   ASSERT_GT ASSERT_GE (integers, both sides printed) ASSERT_NEAR(a, b, eps)
 *   ASSERT_STR(a, b) (strings; NULL is never equal)
 *   TEST_SKIP("why")                    ends the test as skipped, saying why
 *
 * An assertion that fails prints the place and both values on stderr and
 * returns from the test function: helpers that assert must take `int
 * *failed_` too. */
#ifndef LOADTOP_TEST_H
#define LOADTOP_TEST_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* A test sets *failed to 1 on a failed assertion, or to -1 to be skipped. */
typedef void (*test_fn)(int *failed);

/* Adds a test to the runner's list (TEST's constructor calls it, before
 * main). timeout_s is its time limit, 0 for the default. The list grows as
 * needed; registering fails only when memory does, and then exits 2. */
void test_register(const char *name, test_fn fn, int timeout_s);

#define TEST_TIMEOUT(name, seconds)                                                                \
    static void test_##name(int *failed_);                                                         \
    __attribute__((constructor)) static void test_reg_##name(void)                                 \
    {                                                                                              \
        test_register(#name, test_##name, (seconds));                                              \
    }                                                                                              \
    static void test_##name(int *failed_)

#define TEST(name) TEST_TIMEOUT(name, 0)

#define TEST_FAIL_(...)                                                                            \
    do {                                                                                           \
        fprintf(stderr, "    %s:%d: ", __FILE__, __LINE__);                                        \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fprintf(stderr, "\n");                                                                     \
        *failed_ = 1;                                                                              \
        return;                                                                                    \
    } while (0)

#define TEST_SKIP(why)                                                                             \
    do {                                                                                           \
        fprintf(stderr, "    skipped: %s\n", (why));                                               \
        *failed_ = -1;                                                                             \
        return;                                                                                    \
    } while (0)

#define ASSERT(c)                                                                                  \
    do {                                                                                           \
        if (!(c))                                                                                  \
            TEST_FAIL_("assertion failed: %s", #c);                                                \
    } while (0)

/* Integers of any type, compared and printed as long long. */
#define ASSERT_CMP_(a, op, b)                                                                      \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (!(a_ op b_))                                                                           \
            TEST_FAIL_("%s %s %s: %lld vs %lld", #a, #op, #b, a_, b_);                             \
    } while (0)

#define ASSERT_EQ(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_)                                                                              \
            TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_);                                  \
    } while (0)

#define ASSERT_NE(a, b) ASSERT_CMP_(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_CMP_(a, <, b)
#define ASSERT_LE(a, b) ASSERT_CMP_(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_CMP_(a, >, b)
#define ASSERT_GE(a, b) ASSERT_CMP_(a, >=, b)

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
