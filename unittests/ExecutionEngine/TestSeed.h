//===- TestSeed.h - Reproducible seeds for tests on random data -*- C++ -*-===//
//
// Tests on random data take their seed from here: a fixed one by default, so
// that every run checks the same data, or NORM_TEST_SEED to try others. The
// seed is in every failure message, and NORM_TEST_SEED=<it> replays it.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_UNITTESTS_EXECUTIONENGINE_TESTSEED_H
#define NORM_UNITTESTS_EXECUTIONENGINE_TESTSEED_H

#include "llvm/ADT/StringRef.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace norm {
/// NORM_TEST_SEED when set (decimal or 0x hex), else `fallback`.
inline uint64_t getTestSeed(uint64_t fallback) {
  const char *env = std::getenv("NORM_TEST_SEED");
  if (!env)
    return fallback;
  uint64_t seed;
  if (llvm::StringRef(env).trim().getAsInteger(0, seed)) {
    ADD_FAILURE() << "NORM_TEST_SEED is not an integer: '" << env << "'";
    return fallback;
  }
  return seed;
}

/// How a failure names its seed.
inline std::string describeTestSeed(uint64_t seed) {
  return "seed " + std::to_string(seed) +
         " (NORM_TEST_SEED=" + std::to_string(seed) + " replays it)";
}
} // namespace norm

#endif // NORM_UNITTESTS_EXECUTIONENGINE_TESTSEED_H
