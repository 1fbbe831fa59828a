//===- Corpus.h - A character-level text corpus and its batches -*- C++ -*-===//
//
// The text is read as bytes; the vocabulary is the sorted set of bytes that
// occur in it (at most the model's vocabulary). The last `valFraction` of the
// text is held out for validation. Training batches start at random offsets
// of the training part; validation batches at evenly spaced, fixed offsets
// of the held-out part, so every evaluation sees the same tokens.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_TOOLS_NORM_TRAIN_CORPUS_H
#define NORM_TOOLS_NORM_TRAIN_CORPUS_H

#include "norm/Support/Npy.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace norm {
namespace train {

class Corpus {
public:
  /// Reads `path`; fails when it has more distinct bytes than `vocab`, or
  /// when either part is shorter than one sequence of `seq` + 1 tokens.
  static llvm::Expected<Corpus> load(llvm::StringRef path, int64_t vocab,
                                     int64_t seq, double valFraction);

  int64_t getVocabularySize() const { return vocabularySize; }
  int64_t getTrainTokens() const { return split; }
  int64_t getValTokens() const { return tokens.size() - split; }

  /// [batch, seq + 1] i32 token ids.
  NpyArray sampleTrainBatch(int64_t batch, int64_t seq,
                            std::mt19937_64 &rng) const;
  /// Validation batch #`index` of `count`.
  NpyArray valBatch(int64_t index, int64_t count, int64_t batch,
                    int64_t seq) const;

private:
  NpyArray batchAt(llvm::ArrayRef<int64_t> offsets, int64_t seq) const;
  std::vector<int32_t> tokens;
  int64_t split = 0;
  int64_t vocabularySize = 0;
};

} // namespace train
} // namespace norm

#endif // NORM_TOOLS_NORM_TRAIN_CORPUS_H
