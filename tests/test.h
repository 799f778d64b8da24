/* test.h - prism's tiny test framework. Each test registers itself through a
 * constructor, so a test file needs no list elsewhere. A test checks with
 * TEST_CHECK (records and continues) or TEST_REQUIRE (records and returns),
 * and may skip with TEST_SKIP("why"). The runner prints one line per test and
 * the summary "N passed, N failed, N skipped". */
#ifndef PRISM_TESTS_TEST_H
#define PRISM_TESTS_TEST_H

#include <stdint.h>
#include <stdio.h>

#include "graph/graph.h"

typedef void (*prism_test_fn)(void);
void prism_test_register(const char *name, const char *labels,
                         prism_test_fn fn);
void prism_test_fail(const char *file, int line, const char *what);
void prism_test_skip(const char *why);
int prism_test_failed_now(void);
/* Path of the shared instance folder, or NULL when it is absent. */
const char *prism_test_instances_dir(void);
/* Path to a file under tests/ (broken/, data/); static buffer. */
const char *prism_test_path(const char *rel);

/* G(n, p) from the Philox stream (seed, stream): edge {u,v} when its draw is
 * below p * 2^32. */
prism_graph *prism_test_gnp(uint32_t n, double p, uint64_t seed, uint32_t stream);

/* The largest value of "key" over the lines of a JSON Lines telemetry
 * file (islands' counters are cumulative); 0 when the file is absent. */
unsigned long long prism_test_telemetry_max(const char *path, const char *key);

/* PRISM_TEST(name, "labels") { body } ; labels: "cpu", "gpu", "slow", ... */
#define PRISM_TEST(name, labels)                                           \
  static void name(void);                                                  \
  __attribute__((constructor)) static void prism_test_reg_##name(void) {   \
    prism_test_register(#name, labels, name);                              \
  }                                                                        \
  static void name(void)

#define TEST_CHECK(cond)                                                   \
  do {                                                                     \
    if (!(cond)) prism_test_fail(__FILE__, __LINE__, #cond);               \
  } while (0)

#define TEST_REQUIRE(cond)                                                 \
  do {                                                                     \
    if (!(cond)) {                                                         \
      prism_test_fail(__FILE__, __LINE__, #cond);                          \
      return;                                                              \
    }                                                                      \
  } while (0)

#define TEST_CHECK_EQ(a, b)                                                \
  do {                                                                     \
    long long prism_a_ = (long long)(a), prism_b_ = (long long)(b);        \
    if (prism_a_ != prism_b_) {                                            \
      char prism_m_[256];                                                  \
      snprintf(prism_m_, sizeof prism_m_, "%s == %s (%lld != %lld)", #a, #b, \
               prism_a_, prism_b_);                                        \
      prism_test_fail(__FILE__, __LINE__, prism_m_);                       \
    }                                                                      \
  } while (0)

#define TEST_SKIP(why)                                                     \
  do {                                                                     \
    prism_test_skip(why);                                                  \
    return;                                                                \
  } while (0)

#endif
