//===- Npy.cpp - Reading and writing numpy .npy files ---------------------===//
//
// The format: the magic "\x93NUMPY", a major and a minor version byte, the
// header length (u16 in 1.0, u32 in 2.0 and 3.0, little-endian), then the
// header, a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline, then the raw data.
//
//===----------------------------------------------------------------------===//

#include "norm/Support/Npy.h"
#include "norm/Support/HalfFloat.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

using namespace norm;
using llvm::StringRef;
using llvm::Twine;

// NpyArray data is little-endian and converted with plain loads and stores.
static_assert(llvm::sys::IsLittleEndianHost, "a little-endian host is assumed");

static constexpr StringRef kMagic("\x93NUMPY", 6);
/// numpy aligns the data to this many bytes.
static constexpr size_t kAlignment = 64;
/// numpy leaves room for the growing axis's size to reach this many digits,
/// so that appending can rewrite the header in place.
static constexpr size_t kGrowthAxisMaxDigits = 21;

size_t norm::getElementSize(ElementType type) {
  switch (type) {
  case ElementType::F16:
  case ElementType::BF16:
    return 2;
  case ElementType::F32:
  case ElementType::I32:
    return 4;
  case ElementType::F64:
  case ElementType::I64:
    return 8;
  case ElementType::I8:
  case ElementType::Bool:
    return 1;
  }
  llvm_unreachable("unknown element type");
}

StringRef norm::getElementTypeName(ElementType type) {
  switch (type) {
  case ElementType::F16:
    return "f16";
  case ElementType::BF16:
    return "bf16";
  case ElementType::F32:
    return "f32";
  case ElementType::F64:
    return "f64";
  case ElementType::I8:
    return "i8";
  case ElementType::I32:
    return "i32";
  case ElementType::I64:
    return "i64";
  case ElementType::Bool:
    return "i1";
  }
  llvm_unreachable("unknown element type");
}

int64_t NpyArray::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

static llvm::Error npyError(StringRef name, const Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "'" + name +
                                     "' is not a valid .npy file: " + what);
}

/// `text` quoted, with anything unprintable escaped and long text shortened,
/// for error messages.
static std::string quoteForError(StringRef text) {
  constexpr size_t maxSize = 200;
  std::string result;
  {
    llvm::raw_string_ostream os(result);
    os << '"';
    llvm::printEscapedString(text.take_front(maxSize), os);
    os << (text.size() > maxSize ? "\"..." : "\"");
  }
  return result;
}

/// Python's repr of `shape` as a tuple: "()", "(3,)", "(2, 3)".
static std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string text = "(";
  for (auto [index, dim] : llvm::enumerate(shape))
    text += (index ? ", " : "") + std::to_string(dim);
  return text + (shape.size() == 1 ? ",)" : ")");
}

namespace {
/// The header's three entries.
struct Header {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

/// Parses the header, a Python dict literal holding exactly the keys 'descr'
/// (a string), 'fortran_order' (True or False) and 'shape' (a tuple of
/// non-negative ints, which Python 2 numpy wrote with an 'L' suffix).
class HeaderParser {
public:
  HeaderParser(StringRef text, StringRef name)
      : text(text), rest(text), name(name) {}

  llvm::Expected<Header> parse() {
    Header header;
    bool seenDescr = false, seenFortran = false, seenShape = false;
    if (!consume('{'))
      return fail("expected '{'");
    while (!consume('}')) {
      std::optional<StringRef> key = parseString();
      if (!key)
        return fail("expected a quoted key or '}'");
      if (!consume(':'))
        return fail("expected ':' after '" + *key + "'");
      if (*key == "descr") {
        if (seenDescr)
          return fail("duplicate key 'descr'");
        seenDescr = true;
        skipSpace();
        if (rest.starts_with("["))
          return npyError(name, "structured dtypes are not supported");
        std::optional<StringRef> descr = parseString();
        if (!descr)
          return fail("'descr' is not a string");
        header.descr = descr->str();
      } else if (*key == "fortran_order") {
        if (seenFortran)
          return fail("duplicate key 'fortran_order'");
        seenFortran = true;
        StringRef word = parseWord();
        if (word != "True" && word != "False")
          return fail("'fortran_order' is not True or False");
        header.fortranOrder = word == "True";
      } else if (*key == "shape") {
        if (seenShape)
          return fail("duplicate key 'shape'");
        seenShape = true;
        if (llvm::Error error = parseShape(header.shape))
          return error;
      } else {
        return fail("unexpected key '" + *key + "'");
      }
      if (!consume(',') && !peek('}'))
        return fail("expected ',' or '}'");
    }
    skipSpace();
    if (!rest.empty())
      return fail("unexpected text after '}'");
    if (!seenDescr || !seenFortran || !seenShape)
      return fail(Twine("no '") +
                  (!seenDescr     ? "descr"
                   : !seenFortran ? "fortran_order"
                                  : "shape") +
                  "' key");
    return header;
  }

private:
  llvm::Error fail(const Twine &what) {
    return npyError(name, "malformed header dictionary (" + what +
                              "): " + quoteForError(text.rtrim()));
  }

  void skipSpace() { rest = rest.ltrim(" \t\r\n"); }

  bool peek(char c) {
    skipSpace();
    return rest.starts_with(StringRef(&c, 1));
  }

  bool consume(char c) {
    skipSpace();
    return rest.consume_front(StringRef(&c, 1));
  }

  /// A string literal in single or double quotes, without escapes (no dtype
  /// numpy reads needs one).
  std::optional<StringRef> parseString() {
    skipSpace();
    if (!rest.starts_with("'") && !rest.starts_with("\""))
      return std::nullopt;
    size_t end = rest.find(rest.front(), 1);
    if (end == StringRef::npos)
      return std::nullopt;
    StringRef value = rest.slice(1, end);
    if (value.contains('\\'))
      return std::nullopt;
    rest = rest.drop_front(end + 1);
    return value;
  }

  /// A run of letters, digits and underscores (a name or an integer).
  StringRef parseWord() {
    skipSpace();
    size_t size = 0;
    while (size < rest.size() &&
           (llvm::isAlnum(rest[size]) || rest[size] == '_'))
      ++size;
    StringRef word = rest.take_front(size);
    rest = rest.drop_front(size);
    return word;
  }

  llvm::Error parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return fail("'shape' is not a tuple");
    while (!consume(')')) {
      StringRef word = parseWord();
      if (word.ends_with("L") || word.ends_with("l"))
        word = word.drop_back();
      int64_t dim;
      // getAsInteger fails on overflow and on anything but digits here.
      if (word.empty() || !llvm::all_of(word, llvm::isDigit) ||
          word.getAsInteger(10, dim))
        return fail("'shape' holds something other than non-negative ints");
      shape.push_back(dim);
      if (!consume(',') && !peek(')'))
        return fail("expected ',' or ')' in 'shape'");
    }
    return llvm::Error::success();
  }

  StringRef text;
  StringRef rest;
  StringRef name;
};

struct Dtype {
  ElementType type;
  bool bigEndian;
};
} // namespace

/// The element type and byte order of numpy dtype string `descr`.
static std::optional<Dtype> parseDescr(StringRef descr) {
  if (descr == "bfloat16")
    return Dtype{ElementType::BF16, false};
  char order = '=';
  if (!descr.empty() && StringRef("<>|=").contains(descr.front())) {
    order = descr.front();
    descr = descr.drop_front();
  }
  // ml_dtypes saves bfloat16 as raw little-endian bits under '<V2'; nothing
  // writes '>V2' for it, so reject that rather than guess.
  if (descr == "V2")
    return order == '>' ? std::nullopt
                        : std::optional(Dtype{ElementType::BF16, false});
  static const std::pair<StringRef, ElementType> codes[] = {
      {"f2", ElementType::F16}, {"f4", ElementType::F32},
      {"f8", ElementType::F64}, {"i1", ElementType::I8},
      {"i4", ElementType::I32}, {"i8", ElementType::I64},
      {"b1", ElementType::Bool}};
  for (auto [code, type] : codes)
    if (descr == code)
      return Dtype{type, order == '>' && getElementSize(type) > 1};
  return std::nullopt;
}

llvm::Expected<NpyArray> norm::parseNpy(StringRef bytes, StringRef name) {
  if (!bytes.starts_with(kMagic))
    return npyError(name, "missing the \\x93NUMPY magic string");
  if (bytes.size() < kMagic.size() + 2)
    return npyError(name, "truncated header: no format version");
  unsigned major = static_cast<uint8_t>(bytes[6]);
  unsigned minor = static_cast<uint8_t>(bytes[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    return npyError(name, "unsupported format version " + Twine(major) + "." +
                              Twine(minor) + " (expected 1.0, 2.0 or 3.0)");
  size_t lengthSize = major == 1 ? 2 : 4;
  size_t headerStart = 8 + lengthSize;
  if (bytes.size() < headerStart)
    return npyError(name, "truncated header: no header length");
  uint64_t headerLength = 0;
  for (size_t i = 0; i < lengthSize; ++i)
    headerLength |= uint64_t(static_cast<uint8_t>(bytes[8 + i])) << (8 * i);
  if (bytes.size() - headerStart < headerLength)
    return npyError(name, "truncated header: " + Twine(headerLength) +
                              " bytes announced, " +
                              Twine(bytes.size() - headerStart) +
                              " in the file");
  StringRef headerText = bytes.substr(headerStart, headerLength);

  llvm::Expected<Header> header = HeaderParser(headerText, name).parse();
  if (!header)
    return header.takeError();
  std::optional<Dtype> dtype = parseDescr(header->descr);
  if (!dtype)
    return npyError(name, "unsupported dtype " + quoteForError(header->descr) +
                              " (supported: '<f2', '<f4', '<f8', '|i1', "
                              "'<i4', '<i8', '|b1', either byte order, and "
                              "bfloat16 as 'bfloat16' or '<V2')");

  NpyArray array;
  array.type = dtype->type;
  array.shape = std::move(header->shape);
  std::string shapeText = formatShape(array.shape);
  // Fortran order only matters when two dimensions are not 1.
  if (header->fortranOrder &&
      llvm::count_if(array.shape, [](int64_t dim) { return dim != 1; }) > 1 &&
      !llvm::is_contained(array.shape, 0))
    return npyError(name, "Fortran-ordered arrays are not supported; save a "
                          "C-contiguous array (numpy.ascontiguousarray)");

  size_t elementSize = getElementSize(array.type);
  int64_t expected = elementSize;
  for (int64_t dim : array.shape)
    if (llvm::MulOverflow(expected, dim, expected))
      return npyError(name, "shape " + shapeText + " is too large");
  // A zero dimension makes an earlier overflow irrelevant, so check again.
  if (llvm::is_contained(array.shape, 0))
    expected = 0;
  StringRef data = bytes.drop_front(headerStart + headerLength);
  if (data.size() != static_cast<uint64_t>(expected))
    return npyError(name, "expected " + Twine(expected) +
                              " bytes of data for dtype '" + header->descr +
                              "' and shape " + shapeText + ", found " +
                              Twine(data.size()));

  array.data.assign(data.bytes_begin(), data.bytes_end());
  if (dtype->bigEndian)
    for (size_t i = 0; i < array.data.size(); i += elementSize)
      std::reverse(array.data.begin() + i,
                   array.data.begin() + i + elementSize);
  // Anything nonzero is True in numpy; keep the 0/1 that i1 code expects.
  if (array.type == ElementType::Bool)
    for (uint8_t &byte : array.data)
      byte = byte != 0;
  return array;
}

llvm::Expected<NpyArray> norm::readNpy(StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read '" + path +
                                       "': " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

static StringRef getDescr(ElementType type) {
  switch (type) {
  case ElementType::F16:
    return "<f2";
  case ElementType::BF16: // Written widened to f32.
  case ElementType::F32:
    return "<f4";
  case ElementType::F64:
    return "<f8";
  case ElementType::I8:
    return "|i1";
  case ElementType::I32:
    return "<i4";
  case ElementType::I64:
    return "<i8";
  case ElementType::Bool:
    return "|b1";
  }
  llvm_unreachable("unknown element type");
}

/// The preamble for `dict` in format `major`.0, then `dict` padded the way
/// numpy's _wrap_header pads it.
static std::string wrapHeader(StringRef dict, unsigned major) {
  size_t preambleSize = major == 1 ? 10 : 12;
  size_t unpadded = preambleSize + dict.size() + 1; // With the newline.
  // Like numpy, pad by a whole kAlignment when already aligned.
  size_t padding = kAlignment - unpadded % kAlignment;
  uint64_t headerLength = dict.size() + padding + 1;
  std::string bytes = kMagic.str();
  bytes += static_cast<char>(major);
  bytes += '\0';
  for (size_t i = 0; i < preambleSize - 8; ++i)
    bytes += static_cast<char>((headerLength >> (8 * i)) & 0xff);
  bytes += dict;
  bytes.append(padding, ' ');
  bytes += '\n';
  return bytes;
}

std::string norm::formatNpyHeader(ElementType type,
                                  llvm::ArrayRef<int64_t> shape) {
  // numpy writes the keys sorted, each value by repr, then growth room.
  std::string dict =
      ("{'descr': '" + getDescr(type) +
       "', 'fortran_order': False, 'shape': " + formatShape(shape) + ", }")
          .str();
  if (!shape.empty())
    dict.append(kGrowthAxisMaxDigits -
                    std::min(kGrowthAxisMaxDigits,
                             std::to_string(shape.front()).size()),
                ' ');
  std::string bytes = wrapHeader(dict, 1);
  if (bytes.size() - 10 > std::numeric_limits<uint16_t>::max())
    bytes = wrapHeader(dict, 2);
  return bytes;
}

std::string norm::serializeNpy(const NpyArray &array) {
  std::string bytes = formatNpyHeader(array.type, array.shape);
  if (array.type != ElementType::BF16) {
    bytes.append(reinterpret_cast<const char *>(array.data.data()),
                 array.data.size());
    return bytes;
  }
  size_t count = array.data.size() / 2;
  bytes.reserve(bytes.size() + 4 * count);
  for (size_t i = 0; i < count; ++i) {
    // bf16 bits are the top half of the f32 bits.
    bytes += '\0';
    bytes += '\0';
    bytes += static_cast<char>(array.data[2 * i]);
    bytes += static_cast<char>(array.data[2 * i + 1]);
  }
  return bytes;
}

llvm::Error norm::writeNpy(StringRef path, const NpyArray &array) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error, llvm::sys::fs::OF_None);
  if (error)
    return llvm::createStringError(error, "cannot write '" + path +
                                              "': " + error.message());
  os << serializeNpy(array);
  os.close();
  if (os.has_error()) {
    std::error_code writeError = os.error();
    os.clear_error();
    return llvm::createStringError(
        writeError, "cannot write '" + path + "': " + writeError.message());
  }
  return llvm::Error::success();
}
