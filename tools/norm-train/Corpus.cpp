//===- Corpus.cpp - A character-level text corpus and its batches ---------===//

#include "Corpus.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <array>
#include <cstring>

using namespace norm;
using namespace norm::train;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<Corpus> Corpus::load(llvm::StringRef path, int64_t vocab,
                                    int64_t seq, double valFraction) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return makeError("cannot read " + path + ": " +
                     buffer.getError().message());
  llvm::StringRef text = (*buffer)->getBuffer();
  std::array<int32_t, 256> ids;
  ids.fill(-1);
  for (unsigned char c : text)
    ids[c] = 0;
  Corpus corpus;
  for (int32_t &id : ids)
    if (id == 0)
      id = corpus.vocabularySize++;
  if (corpus.vocabularySize > vocab)
    return makeError(llvm::formatv("{0} has {1} distinct bytes, more than the "
                                   "model's vocabulary of {2}",
                                   path, corpus.vocabularySize, vocab));
  corpus.tokens.reserve(text.size());
  for (unsigned char c : text)
    corpus.tokens.push_back(ids[c]);
  corpus.split = static_cast<int64_t>(text.size() * (1.0 - valFraction));
  if (corpus.split < seq + 1 || corpus.getValTokens() < seq + 1)
    return makeError(llvm::formatv("{0}: {1} bytes are too few for training "
                                   "and validation sequences of {2} tokens",
                                   path, text.size(), seq + 1));
  return corpus;
}

NpyArray Corpus::batchAt(llvm::ArrayRef<int64_t> offsets, int64_t seq) const {
  NpyArray array;
  array.type = ElementType::I32;
  array.shape = {static_cast<int64_t>(offsets.size()), seq + 1};
  array.data.resize(offsets.size() * (seq + 1) * sizeof(int32_t));
  auto *out = reinterpret_cast<int32_t *>(array.data.data());
  for (int64_t offset : offsets) {
    std::memcpy(out, tokens.data() + offset, (seq + 1) * sizeof(int32_t));
    out += seq + 1;
  }
  return array;
}

NpyArray Corpus::sampleTrainBatch(int64_t batch, int64_t seq,
                                  std::mt19937_64 &rng) const {
  std::uniform_int_distribution<int64_t> offset(0, split - seq - 1);
  std::vector<int64_t> offsets(batch);
  for (int64_t &o : offsets)
    o = offset(rng);
  return batchAt(offsets, seq);
}

NpyArray Corpus::valBatch(int64_t index, int64_t count, int64_t batch,
                          int64_t seq) const {
  int64_t span = getValTokens() - seq - 1;
  std::vector<int64_t> offsets(batch);
  for (int64_t b = 0; b < batch; ++b)
    offsets[b] = split + span * (index * batch + b) / (count * batch);
  return batchAt(offsets, seq);
}
