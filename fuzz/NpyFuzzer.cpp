//===- NpyFuzzer.cpp - libFuzzer target for the .npy reader ---------------===//
//
// parseNpy on arbitrary bytes must either fail with an llvm::Error or return
// an array whose data size matches its shape and element type; a parsed array
// must survive serialization and reparsing (bf16 values as f32).
//
//===----------------------------------------------------------------------===//

#include "norm/Support/Npy.h"

#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdlib>

using namespace norm;

static void check(bool condition, const char *what) {
  if (condition)
    return;
  llvm::errs() << "norm-npy-fuzzer: " << what << "\n";
  std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  llvm::Expected<NpyArray> array = parseNpy(bytes, "<fuzz>");
  if (!array) {
    llvm::consumeError(array.takeError());
    return 0;
  }
  int64_t count = array->numElements();
  check(count >= 0, "negative element count");
  check(array->data.size() ==
            static_cast<uint64_t>(count) * getElementSize(array->type),
        "data size differs from shape times element size");
  // Arrays too large to copy around cheaply are not round-tripped.
  if (array->data.size() > (1u << 20))
    return 0;

  std::string serialized = serializeNpy(*array);
  llvm::Expected<NpyArray> reparsed = parseNpy(serialized, "<serialized>");
  check(static_cast<bool>(reparsed), "serialized array does not parse");
  std::vector<double> values = toDoubles(*array);
  check(values.size() == static_cast<size_t>(count),
        "toDoubles returns a value per element");
  if (array->type != ElementType::BF16) {
    check(reparsed->type == array->type, "round trip changes the type");
    check(reparsed->shape == array->shape, "round trip changes the shape");
    check(reparsed->data == array->data, "round trip changes the data");
    return 0;
  }
  // BF16 is written as f32: the values survive (NaN payloads need not).
  check(reparsed->type == ElementType::F32, "bf16 is not written as f32");
  check(reparsed->shape == array->shape, "round trip changes the shape");
  std::vector<double> widened = toDoubles(*reparsed);
  for (size_t i = 0; i < values.size(); ++i)
    check(widened[i] == values[i] ||
              (std::isnan(widened[i]) && std::isnan(values[i])),
          "round trip changes a bf16 value");
  return 0;
}
