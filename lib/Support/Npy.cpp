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

std::optional<int64_t> norm::getNumElements(llvm::ArrayRef<int64_t> shape) {
  if (llvm::any_of(shape, [](int64_t dim) { return dim < 0; }))
    return std::nullopt;
  // Like numpy, a zero dim makes any other dims fine: nothing is addressed.
  if (llvm::is_contained(shape, 0))
    return 0;
  int64_t count = 1;
  for (int64_t dim : shape)
    if (llvm::MulOverflow(count, dim, count))
      return std::nullopt;
  return count;
}

std::optional<int64_t> norm::getByteSize(ElementType type,
                                         llvm::ArrayRef<int64_t> shape) {
  std::optional<int64_t> count = getNumElements(shape);
  int64_t bytes;
  if (!count || llvm::MulOverflow(
                    *count, static_cast<int64_t>(getElementSize(type)), bytes))
    return std::nullopt;
  return bytes;
}

int64_t NpyArray::numElements() const {
  return getNumElements(shape).value_or(0);
}

int64_t NpyArrayRef::numElements() const {
  return getNumElements(shape).value_or(0);
}

bool NpyArrayRef::isRowMajor() const {
  if (strides.empty())
    return true;
  int64_t expected = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    // Strides of dims of size 1 never matter.
    if (shape[d] != 1 && strides[d] != expected)
      return false;
    expected *= shape[d];
  }
  return true;
}

/// The offset in elements of the element at row-major position `index`.
static int64_t getOffset(const NpyArrayRef &array, int64_t index) {
  if (array.strides.empty())
    return index;
  int64_t offset = 0;
  for (int64_t d = static_cast<int64_t>(array.shape.size()) - 1; d >= 0; --d) {
    offset += index % array.shape[d] * array.strides[d];
    index /= array.shape[d];
  }
  return offset;
}

double NpyArrayRef::getAsDouble(int64_t index) const {
  NpyArray element;
  element.type = type;
  size_t size = getElementSize(type);
  const uint8_t *p = data + getOffset(*this, index) * size;
  element.data.assign(p, p + size);
  return toDoubles(element).front();
}

void norm::forEachChunk(const NpyArrayRef &array, ElementType type,
                        int64_t chunkElements,
                        llvm::function_ref<void(const NpyArray &chunk)> fn) {
  int64_t count = array.numElements();
  size_t size = getElementSize(array.type);
  bool rowMajor = array.isRowMajor();
  NpyArray chunk;
  chunk.type = array.type;
  for (int64_t start = 0; start < count; start += chunkElements) {
    int64_t n = std::min(chunkElements, count - start);
    chunk.shape = {n};
    if (rowMajor) {
      const uint8_t *p = array.data + start * size;
      chunk.data.assign(p, p + n * size);
    } else {
      chunk.data.resize(n * size);
      for (int64_t i = 0; i < n; ++i)
        std::memcpy(chunk.data.data() + i * size,
                    array.data + getOffset(array, start + i) * size, size);
    }
    fn(chunk.type == type ? chunk : convertArray(chunk, type));
  }
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

std::string norm::formatNpyShape(llvm::ArrayRef<int64_t> shape) {
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

namespace {
/// Where the header is: the preamble's findings.
struct Preamble {
  size_t headerStart;
  uint64_t headerLength;
};

/// What the header says about the data.
struct Layout {
  ElementType type;
  bool bigEndian;
  std::vector<int64_t> shape;
  int64_t dataSize;
};
} // namespace

/// Reads the magic string, version and header length at the start of
/// `bytes` (at least the first 12 bytes of the file, if it has them).
static llvm::Expected<Preamble> parsePreamble(StringRef bytes, StringRef name) {
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
  return Preamble{headerStart, headerLength};
}

static llvm::Error checkHeaderFits(const Preamble &preamble, uint64_t fileSize,
                                   StringRef name) {
  if (fileSize - preamble.headerStart < preamble.headerLength)
    return npyError(name, "truncated header: " + Twine(preamble.headerLength) +
                              " bytes announced, " +
                              Twine(fileSize - preamble.headerStart) +
                              " in the file");
  return llvm::Error::success();
}

/// Parses the header dictionary and checks that the shape's bytes are
/// representable and equal `dataSize`, the bytes after the header.
static llvm::Expected<Layout> parseLayout(StringRef headerText,
                                          uint64_t dataSize, StringRef name) {
  llvm::Expected<Header> header = HeaderParser(headerText, name).parse();
  if (!header)
    return header.takeError();
  std::optional<Dtype> dtype = parseDescr(header->descr);
  if (!dtype)
    return npyError(name, "unsupported dtype " + quoteForError(header->descr) +
                              " (supported: '<f2', '<f4', '<f8', '|i1', "
                              "'<i4', '<i8', '|b1', either byte order, and "
                              "bfloat16 as 'bfloat16' or '<V2')");

  Layout layout{dtype->type, dtype->bigEndian, std::move(header->shape), 0};
  std::string shapeText = formatNpyShape(layout.shape);
  // Fortran order only matters when two dimensions are not 1.
  if (header->fortranOrder &&
      llvm::count_if(layout.shape, [](int64_t dim) { return dim != 1; }) > 1 &&
      !llvm::is_contained(layout.shape, 0))
    return npyError(name, "Fortran-ordered arrays are not supported; save a "
                          "C-contiguous array (numpy.ascontiguousarray)");
  std::optional<int64_t> expected = getByteSize(layout.type, layout.shape);
  if (!expected)
    return npyError(name, "shape " + shapeText + " is too large");
  if (dataSize != static_cast<uint64_t>(*expected))
    return npyError(name, "expected " + Twine(*expected) +
                              " bytes of data for dtype '" + header->descr +
                              "' and shape " + shapeText + ", found " +
                              Twine(dataSize));
  layout.dataSize = *expected;
  return layout;
}

/// Converts data read as is from a file to NpyArray's conventions.
static void normalizeData(const Layout &layout,
                          llvm::MutableArrayRef<uint8_t> data) {
  size_t elementSize = getElementSize(layout.type);
  if (layout.bigEndian)
    for (size_t i = 0; i < data.size(); i += elementSize)
      std::reverse(data.begin() + i, data.begin() + i + elementSize);
  // Anything nonzero is True in numpy; keep the 0/1 that i1 code expects.
  if (layout.type == ElementType::Bool)
    for (uint8_t &byte : data)
      byte = byte != 0;
}

llvm::Expected<NpyArray> norm::parseNpy(StringRef bytes, StringRef name) {
  llvm::Expected<Preamble> preamble = parsePreamble(bytes, name);
  if (!preamble)
    return preamble.takeError();
  if (llvm::Error error = checkHeaderFits(*preamble, bytes.size(), name))
    return error;
  size_t dataStart = preamble->headerStart + preamble->headerLength;
  StringRef data = bytes.drop_front(dataStart);
  llvm::Expected<Layout> layout =
      parseLayout(bytes.substr(preamble->headerStart, preamble->headerLength),
                  data.size(), name);
  if (!layout)
    return layout.takeError();
  NpyArray array;
  array.type = layout->type;
  array.data.assign(data.bytes_begin(), data.bytes_end());
  normalizeData(*layout, array.data);
  array.shape = std::move(layout->shape);
  return array;
}

llvm::Expected<NpyArray> norm::readNpy(StringRef path) {
  llvm::Expected<NpyFile> file = NpyFile::open(path);
  if (!file)
    return file.takeError();
  NpyArray array;
  array.type = file->getType();
  array.shape.assign(file->getShape().begin(), file->getShape().end());
  array.data.resize(file->getDataSize());
  if (llvm::Error error = file->read(array.type, array.data))
    return error;
  return array;
}

//===----------------------------------------------------------------------===//
// NpyFile
//===----------------------------------------------------------------------===//

/// numpy refuses headers over 10000 bytes unless told otherwise; anything
/// beyond this is not a header but a corrupt length.
static constexpr uint64_t kMaxHeaderLength = 1 << 20;

static llvm::Error readError(StringRef path, std::error_code error) {
  return llvm::createStringError(error, "cannot read '" + path +
                                            "': " + error.message());
}

/// Reads exactly `dest.size()` bytes at `offset`.
static llvm::Error readExactly(llvm::sys::fs::file_t file, StringRef path,
                               uint64_t offset,
                               llvm::MutableArrayRef<char> dest) {
  while (!dest.empty()) {
    llvm::Expected<size_t> read =
        llvm::sys::fs::readNativeFileSlice(file, dest, offset);
    if (!read)
      return readError(path, llvm::errorToErrorCode(read.takeError()));
    if (*read == 0)
      return npyError(path, "the file ended early (changed while read?)");
    dest = dest.drop_front(*read);
    offset += *read;
  }
  return llvm::Error::success();
}

llvm::Expected<NpyFile> NpyFile::open(StringRef path) {
  NpyFile result;
  result.path = path.str();
  llvm::Expected<llvm::sys::fs::file_t> file =
      llvm::sys::fs::openNativeFileForRead(path);
  if (!file)
    return readError(path, llvm::errorToErrorCode(file.takeError()));
  result.file = *file;
  llvm::sys::fs::file_status status;
  if (std::error_code error = llvm::sys::fs::status(result.file, status))
    return readError(path, error);
  if (status.type() == llvm::sys::fs::file_type::directory_file)
    return readError(path, std::make_error_code(std::errc::is_a_directory));
  uint64_t fileSize = status.getSize();

  std::string prefix(std::min<uint64_t>(fileSize, 12), '\0');
  if (llvm::Error error = readExactly(result.file, path, 0, prefix))
    return error;
  llvm::Expected<Preamble> preamble = parsePreamble(prefix, path);
  if (!preamble)
    return preamble.takeError();
  if (llvm::Error error = checkHeaderFits(*preamble, fileSize, path))
    return error;
  if (preamble->headerLength > kMaxHeaderLength)
    return npyError(path, "header of " + Twine(preamble->headerLength) +
                              " bytes (at most " + Twine(kMaxHeaderLength) +
                              " accepted)");
  std::string header(preamble->headerLength, '\0');
  if (llvm::Error error =
          readExactly(result.file, path, preamble->headerStart, header))
    return error;
  result.dataOffset = preamble->headerStart + preamble->headerLength;
  llvm::Expected<Layout> layout =
      parseLayout(header, fileSize - result.dataOffset, path);
  if (!layout)
    return layout.takeError();
  result.type = layout->type;
  result.bigEndian = layout->bigEndian;
  result.shape = std::move(layout->shape);
  result.dataSize = layout->dataSize;
  return result;
}

NpyFile::NpyFile(NpyFile &&other) noexcept
    : path(std::move(other.path)), file(other.file), type(other.type),
      bigEndian(other.bigEndian), shape(std::move(other.shape)),
      dataOffset(other.dataOffset), dataSize(other.dataSize) {
  other.file = llvm::sys::fs::kInvalidFile;
}

NpyFile::~NpyFile() {
  if (file != llvm::sys::fs::kInvalidFile)
    llvm::sys::fs::closeFile(file);
}

llvm::Error NpyFile::read(ElementType as, llvm::MutableArrayRef<uint8_t> dest) {
  Layout layout{type, bigEndian, shape, dataSize};
  auto readRange = [&](uint64_t offset,
                       llvm::MutableArrayRef<uint8_t> out) -> llvm::Error {
    llvm::MutableArrayRef<char> chars(reinterpret_cast<char *>(out.data()),
                                      out.size());
    if (llvm::Error error = readExactly(file, path, dataOffset + offset, chars))
      return error;
    normalizeData(layout, out);
    return llvm::Error::success();
  };
  int64_t count = getNumElements(shape).value_or(0);
  std::optional<int64_t> bytes = getByteSize(as, shape);
  if (!bytes || static_cast<uint64_t>(*bytes) > dest.size())
    return npyError(path, "the destination holds " + Twine(dest.size()) +
                              " bytes, fewer than the data");
  if (as == type)
    return readRange(0, dest.take_front(dataSize));

  // Another type: convert a chunk at a time.
  constexpr int64_t kChunk = 1 << 16;
  size_t fromSize = getElementSize(type), toSize = getElementSize(as);
  NpyArray chunk;
  chunk.type = type;
  for (int64_t start = 0; start < count; start += kChunk) {
    int64_t n = std::min(kChunk, count - start);
    chunk.shape = {n};
    chunk.data.resize(n * fromSize);
    if (llvm::Error error = readRange(start * fromSize, chunk.data))
      return error;
    NpyArray converted = convertArray(chunk, as);
    std::memcpy(dest.data() + start * toSize, converted.data.data(),
                converted.data.size());
  }
  return llvm::Error::success();
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
       "', 'fortran_order': False, 'shape': " + formatNpyShape(shape) + ", }")
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

/// Writes the elements of `array` as the data of a .npy file.
static void writeData(llvm::raw_ostream &os, const NpyArrayRef &array) {
  if (array.type != ElementType::BF16 && array.isRowMajor()) {
    os.write(reinterpret_cast<const char *>(array.data),
             array.numElements() * getElementSize(array.type));
    return;
  }
  // bf16 is written widened to f32, an exact conversion.
  ElementType type =
      array.type == ElementType::BF16 ? ElementType::F32 : array.type;
  forEachChunk(array, type, /*chunkElements=*/1 << 16,
               [&](const NpyArray &chunk) {
                 os.write(reinterpret_cast<const char *>(chunk.data.data()),
                          chunk.data.size());
               });
}

static llvm::Error writeError(StringRef path, std::error_code error) {
  return llvm::createStringError(error, "cannot write '" + path +
                                            "': " + error.message());
}

llvm::Expected<PendingNpyFile> PendingNpyFile::write(StringRef path,
                                                     const NpyArrayRef &array) {
  // Next to the destination, so that the rename stays on one file system.
  llvm::Expected<llvm::sys::fs::TempFile> file =
      llvm::sys::fs::TempFile::create(path + ".tmp%%%%%%");
  if (!file)
    return writeError(path, llvm::errorToErrorCode(file.takeError()));
  PendingNpyFile pending(path.str(), std::move(*file));
  llvm::raw_fd_ostream os(pending.file->FD, /*shouldClose=*/false);
  os << formatNpyHeader(array.type, array.shape);
  writeData(os, array);
  os.flush();
  if (os.has_error()) {
    std::error_code error = os.error();
    os.clear_error();
    return writeError(path, error);
  }
  return pending;
}

llvm::Error PendingNpyFile::commit() {
  llvm::Error error = file->keep(path);
  file.reset();
  if (error)
    return writeError(path, llvm::errorToErrorCode(std::move(error)));
  return llvm::Error::success();
}

PendingNpyFile::~PendingNpyFile() {
  if (file)
    llvm::consumeError(file->discard());
}

llvm::Error norm::writeNpy(StringRef path, const NpyArrayRef &array) {
  llvm::Expected<PendingNpyFile> file = PendingNpyFile::write(path, array);
  if (!file)
    return file.takeError();
  return file->commit();
}
