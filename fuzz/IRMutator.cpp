//===- IRMutator.cpp - Structure-aware mutations of norm IR text ----------===//

#include "IRMutator.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxSize);

namespace {
using Random = std::mt19937;

/// A substring of the text: [begin, end).
struct Span {
  size_t begin, end;
};

size_t pick(Random &random, size_t n) {
  return std::uniform_int_distribution<size_t>(0, n - 1)(random);
}

template <typename T, size_t N> const T &pickFrom(Random &random, T (&a)[N]) {
  return a[pick(random, N)];
}

/// Every occurrence of `needle` in `text`.
std::vector<size_t> findAll(const std::string &text,
                            const std::string &needle) {
  std::vector<size_t> result;
  for (size_t pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + 1))
    result.push_back(pos);
  return result;
}

void replaceAll(std::string &text, const std::string &from,
                const std::string &to) {
  if (from.empty())
    return;
  std::string result;
  size_t last = 0;
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, last)) {
    result.append(text, last, pos - last);
    result += to;
    last = pos + from.size();
  }
  result.append(text, last, std::string::npos);
  text = std::move(result);
}

/// The `tensor<...>` types of the text (without nested `<`).
std::vector<Span> findTensorTypes(const std::string &text) {
  std::vector<Span> result;
  for (size_t pos : findAll(text, "tensor<")) {
    size_t close = text.find('>', pos);
    size_t nested = text.find('<', pos + 7);
    if (close == std::string::npos ||
        (nested != std::string::npos && nested < close))
      continue;
    result.push_back({pos, close + 1});
  }
  return result;
}

/// Splits `dims x ... x element` of a tensor type into its dims and element.
void splitShape(const std::string &body, std::vector<std::string> &dims,
                std::string &element) {
  size_t start = 0;
  while (true) {
    size_t x = body.find('x', start);
    std::string token = body.substr(
        start, x == std::string::npos ? std::string::npos : x - start);
    bool isDim =
        x != std::string::npos && !token.empty() &&
        (token == "?" || std::all_of(token.begin(), token.end(), ::isdigit));
    if (!isDim) {
      element = body.substr(start);
      return;
    }
    dims.push_back(token);
    start = x + 1;
  }
}

const char *const interestingDims[] = {"0",
                                       "1",
                                       "?",
                                       "2",
                                       "3",
                                       "4",
                                       "7",
                                       "8",
                                       "16",
                                       "17",
                                       "31",
                                       "33",
                                       "64",
                                       "128",
                                       "4096",
                                       "65536",
                                       "4294967296",
                                       "2305843009213693952",
                                       "1152921504606846976",
                                       "4611686018427387904",
                                       "9223372036854775807"};
const char *const elementTypes[] = {"f16",    "bf16", "f32", "f64", "f8E4M3FN",
                                    "f8E5M2", "f128", "i32", "i1",  "index"};

/// Changes one dim, adds or drops one, or changes the element type of one
/// tensor type, everywhere the same type is spelled (so that the function
/// signature and the ops still agree), or at one place only.
bool mutateShape(std::string &text, Random &random) {
  std::vector<Span> types = findTensorTypes(text);
  if (types.empty())
    return false;
  Span span = types[pick(random, types.size())];
  std::string type = text.substr(span.begin, span.end - span.begin);
  std::string body = type.substr(7, type.size() - 8);
  std::vector<std::string> dims;
  std::string element;
  splitShape(body, dims, element);
  switch (pick(random, 4)) {
  case 0:
  case 1:
    if (dims.empty())
      dims.push_back(pickFrom(random, interestingDims));
    else
      dims[pick(random, dims.size())] =
          pick(random, 4) ? pickFrom(random, interestingDims)
                          : std::to_string(pick(random, 1 << 20));
    break;
  case 2:
    if (!dims.empty() && pick(random, 2))
      dims.erase(dims.begin() + pick(random, dims.size()));
    else
      dims.insert(dims.begin() + pick(random, dims.size() + 1),
                  pickFrom(random, interestingDims));
    break;
  case 3:
    element = pickFrom(random, elementTypes);
    break;
  }
  std::string mutated = "tensor<";
  for (const std::string &dim : dims)
    mutated += dim + "x";
  mutated += element + ">";
  if (pick(random, 4))
    replaceAll(text, type, mutated);
  else
    text.replace(span.begin, span.end - span.begin, mutated);
  return true;
}

/// The spans of the norm ops' lines.
std::vector<Span> findNormOps(const std::string &text) {
  std::vector<Span> result;
  for (size_t pos : findAll(text, "norm.")) {
    if (text.compare(pos, 13, "norm.rms_norm") != 0 &&
        text.compare(pos, 15, "norm.layer_norm") != 0)
      continue;
    size_t begin = text.rfind('\n', pos);
    size_t end = text.find('\n', pos);
    result.push_back({begin == std::string::npos ? 0 : begin + 1,
                      end == std::string::npos ? text.size() : end});
  }
  return result;
}

std::string randomAxes(Random &random) {
  std::string axes = "array<i64";
  size_t count = pick(random, 8) ? 1 + pick(random, 3) : 0;
  for (size_t i = 0; i < count; ++i)
    axes += (i ? ", " : ": ") +
            std::to_string(static_cast<int>(pick(random, 11)) - 5);
  return axes + ">";
}

const char *const epsilons[] = {"0.0",
                                "1.0e-06",
                                "1.0e-05",
                                "-1.0",
                                "1.0e+308",
                                "0x7FF0000000000000",
                                "0x7FF8000000000000",
                                "0xFFF0000000000000",
                                "4.9406564584124654e-324",
                                "1.0e+30"};
const char *const computeTypes[] = {"f16",      "bf16", "f32", "f64",
                                    "f8E4M3FN", "f128", "i32", "index"};

/// Sets or replaces one attribute of the attribute dictionary of a norm op,
/// adding the dictionary when there is none.
void setAttribute(std::string &text, Span op, const std::string &name,
                  const std::string &value) {
  std::string line = text.substr(op.begin, op.end - op.begin);
  size_t at = line.find(name + " = ");
  if (at != std::string::npos) {
    size_t valueBegin = at + name.size() + 3;
    // The value ends at the dictionary's next top-level ',' or '}'.
    int depth = 0;
    size_t valueEnd = valueBegin;
    for (; valueEnd < line.size(); ++valueEnd) {
      char c = line[valueEnd];
      if (c == '<' || c == '(' || c == '[')
        ++depth;
      else if (c == '>' || c == ')' || c == ']')
        --depth;
      else if ((c == ',' || c == '}') && depth <= 0)
        break;
    }
    line.replace(valueBegin, valueEnd - valueBegin, value);
  } else if (size_t brace = line.find('{'); brace != std::string::npos) {
    line.insert(brace + 1, name + " = " + value + ", ");
  } else if (size_t colon = line.rfind(" : "); colon != std::string::npos) {
    line.insert(colon, " {" + name + " = " + value + "}");
  } else {
    return;
  }
  text.replace(op.begin, op.end - op.begin, line);
}

/// Mutates the axes, epsilon or compute_type of one norm op.
bool mutateAttribute(std::string &text, Random &random) {
  std::vector<Span> ops = findNormOps(text);
  if (ops.empty())
    return false;
  Span op = ops[pick(random, ops.size())];
  switch (pick(random, 3)) {
  case 0:
    setAttribute(text, op, "axes", randomAxes(random));
    break;
  case 1:
    setAttribute(text, op, "epsilon",
                 std::string(pickFrom(random, epsilons)) + " : f64");
    break;
  case 2:
    setAttribute(text, op, "compute_type", pickFrom(random, computeTypes));
    break;
  }
  return true;
}

const char *const clauses[] = {"scale(", "bias(", "feature_epsilon("};

/// Drops an optional operand clause of a norm op, copies one from another
/// norm op, swaps the op kind, or changes the number of results.
bool mutateOperands(std::string &text, Random &random) {
  std::vector<Span> ops = findNormOps(text);
  if (ops.empty())
    return false;
  Span op = ops[pick(random, ops.size())];
  std::string line = text.substr(op.begin, op.end - op.begin);
  switch (pick(random, 4)) {
  case 0: { // Drop a clause.
    size_t at = line.find(pickFrom(random, clauses));
    if (at == std::string::npos)
      return false;
    size_t close = line.find(')', at);
    if (close == std::string::npos)
      return false;
    line.erase(at, close + 2 - at);
    break;
  }
  case 1: { // Copy a clause (operand and type) from any norm op.
    Span from = ops[pick(random, ops.size())];
    std::string source = text.substr(from.begin, from.end - from.begin);
    size_t at = source.find(pickFrom(random, clauses));
    size_t close =
        at == std::string::npos ? std::string::npos : source.find(')', at);
    size_t mnemonicEnd = line.find("_norm ");
    if (close == std::string::npos || mnemonicEnd == std::string::npos)
      return false;
    // After the input operand.
    size_t insertAt = line.find(' ', mnemonicEnd + 6);
    if (insertAt == std::string::npos)
      return false;
    line.insert(insertAt, " " + source.substr(at, close + 1 - at));
    break;
  }
  case 2: // Swap the op kind: the statistics count differs.
    if (line.find("norm.rms_norm") != std::string::npos)
      replaceAll(line, "norm.rms_norm", "norm.layer_norm");
    else
      replaceAll(line, "norm.layer_norm", "norm.rms_norm");
    break;
  case 3: { // Add or drop a result type.
    size_t arrow = line.rfind("-> ");
    if (arrow == std::string::npos)
      return false;
    std::string results = line.substr(arrow + 3);
    size_t comma = results.rfind(", ");
    if (comma != std::string::npos && pick(random, 2))
      results.erase(comma);
    else
      results += ", " + results.substr(0, results.find(", "));
    line.replace(arrow + 3, std::string::npos, results);
    break;
  }
  }
  text.replace(op.begin, op.end - op.begin, line);
  return true;
}
} // namespace

size_t mlir::norm::fuzz::mutateIR(uint8_t *data, size_t size, size_t maxSize,
                                  unsigned seed) {
  Random random(seed);
  // A quarter of the mutations are libFuzzer's own, byte-level ones.
  if (pick(random, 4) == 0)
    return LLVMFuzzerMutate(data, size, maxSize);
  std::string text(reinterpret_cast<const char *>(data), size);
  bool changed = false;
  for (size_t i = 0, n = 1 + pick(random, 3); i < n; ++i) {
    switch (pick(random, 3)) {
    case 0:
      changed |= mutateShape(text, random);
      break;
    case 1:
      changed |= mutateAttribute(text, random);
      break;
    case 2:
      changed |= mutateOperands(text, random);
      break;
    }
  }
  if (!changed || text.size() > maxSize)
    return LLVMFuzzerMutate(data, size, maxSize);
  std::memcpy(data, text.data(), text.size());
  return text.size();
}
