//===- Npy.cpp - Reading and writing numpy .npy files ---------------------===//

#include "norm/Support/Npy.h"
#include "norm/Support/HalfFloat.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace norm;
using llvm::StringRef;

static constexpr char kMagic[] = "\x93NUMPY";
static constexpr size_t kMagicSize = 6;

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

static llvm::Error npyError(StringRef name, const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "'" + name +
                                     "' is not a valid .npy file: " + what);
}

/// The value of `key` in numpy's header dict (a Python literal), e.g.
/// "'<f4'" for 'descr'.
static std::optional<StringRef> findValue(StringRef header, StringRef key) {
  size_t at = header.find(("'" + key + "'").str());
  if (at == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(at + key.size() + 2).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  rest = rest.ltrim();
  size_t end = rest.starts_with("(")   ? rest.find(')') + 1
               : rest.starts_with("'") ? rest.find('\'', 1) + 1
                                       : rest.find_first_of(",}");
  if (end == StringRef::npos || end == 0)
    return std::nullopt;
  return rest.take_front(end).trim();
}

struct Descr {
  ElementType type;
  bool bigEndian;
};

static std::optional<Descr> parseDescr(StringRef descr) {
  if (!descr.consume_front("'") || !descr.consume_back("'"))
    return std::nullopt;
  if (descr == "bfloat16")
    return Descr{ElementType::BF16, false};
  bool big = descr.starts_with(">");
  StringRef code =
      descr.drop_front(descr.starts_with("<") || descr.starts_with(">") ||
                               descr.starts_with("|") || descr.starts_with("=")
                           ? 1
                           : 0);
  static const std::pair<StringRef, ElementType> codes[] = {
      {"f2", ElementType::F16},  {"f4", ElementType::F32},
      {"f8", ElementType::F64},  {"i1", ElementType::I8},
      {"i4", ElementType::I32},  {"i8", ElementType::I64},
      {"b1", ElementType::Bool}, {"V2", ElementType::BF16}};
  for (auto [name, type] : codes)
    if (code == name)
      return Descr{type, big};
  return std::nullopt;
}

llvm::Expected<NpyArray> norm::parseNpy(StringRef bytes, StringRef name) {
  if (bytes.size() < kMagicSize + 4 ||
      std::memcmp(bytes.data(), kMagic, kMagicSize) != 0)
    return npyError(name, "missing the \\x93NUMPY magic string");
  unsigned major = static_cast<uint8_t>(bytes[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength =
        static_cast<uint8_t>(bytes[8]) | static_cast<uint8_t>(bytes[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(name, "truncated header");
    headerLength = 0;
    for (int i = 0; i < 4; ++i)
      headerLength |= static_cast<size_t>(static_cast<uint8_t>(bytes[8 + i]))
                      << (8 * i);
    headerStart = 12;
  } else {
    return npyError(name, "unsupported format version " + llvm::Twine(major));
  }
  if (bytes.size() < headerStart + headerLength)
    return npyError(name, "truncated header");
  StringRef header = bytes.substr(headerStart, headerLength);

  std::optional<StringRef> descrText = findValue(header, "descr");
  std::optional<StringRef> fortranText = findValue(header, "fortran_order");
  std::optional<StringRef> shapeText = findValue(header, "shape");
  if (!descrText || !fortranText || !shapeText)
    return npyError(name, "header lacks 'descr', 'fortran_order' or 'shape'");
  std::optional<Descr> descr = parseDescr(*descrText);
  if (!descr)
    return npyError(name, "unsupported dtype " + *descrText +
                              " (supported: f2, f4, f8, i1, i4, i8, b1, "
                              "bfloat16)");
  if (*fortranText != "False")
    return npyError(name, "Fortran-ordered arrays are not supported; save a "
                          "C-contiguous array");

  NpyArray array;
  array.type = descr->type;
  StringRef dims = shapeText->drop_front().drop_back();
  llvm::SmallVector<StringRef> parts;
  dims.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (StringRef part : parts) {
    int64_t dim;
    if (part.trim().getAsInteger(10, dim) || dim < 0)
      return npyError(name, "malformed shape " + *shapeText);
    array.shape.push_back(dim);
  }
  size_t elementSize = getElementSize(array.type);
  size_t expected = array.numElements() * elementSize;
  StringRef data = bytes.drop_front(headerStart + headerLength);
  if (data.size() != expected)
    return npyError(name, llvm::formatv("expected {0} bytes of data for shape "
                                        "{1}, found {2}",
                                        expected, *shapeText, data.size())
                              .str());
  array.data.assign(data.begin(), data.end());
  if (descr->bigEndian && elementSize > 1)
    for (size_t i = 0; i < array.data.size(); i += elementSize)
      std::reverse(array.data.begin() + i,
                   array.data.begin() + i + elementSize);
  return array;
}

llvm::Expected<NpyArray> norm::readNpy(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read '" + path +
                                       "': " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

std::string norm::serializeNpy(const NpyArray &input) {
  // numpy has no bf16: widen exactly to f32.
  const NpyArray &array = input.type == ElementType::BF16
                              ? convertArray(input, ElementType::F32)
                              : input;
  static const char *descrs[] = {"<f2", "",    "<f4", "<f8",
                                 "|i1", "<i4", "<i8", "|b1"};
  std::string shape = "(";
  for (int64_t dim : array.shape)
    shape += std::to_string(dim) + ", ";
  if (array.shape.size() > 1)
    shape.resize(shape.size() - 2);
  else if (array.shape.size() == 1)
    shape.resize(shape.size() - 1);
  shape += ")";
  std::string header =
      llvm::formatv("{{'descr': '{0}', 'fortran_order': False, 'shape': {1}, }",
                    descrs[static_cast<int>(array.type)], shape)
          .str();
  // Pad with spaces and a newline so that data starts 64-byte aligned.
  size_t preamble = header.size() + 1 + 10 > 65535 + 10 ? 12 : 10;
  size_t total = (preamble + header.size() + 1 + 63) / 64 * 64;
  header.append(total - preamble - header.size() - 1, ' ');
  header += '\n';
  std::string bytes(kMagic, kMagicSize);
  bytes += static_cast<char>(preamble == 10 ? 1 : 2);
  bytes += '\0';
  for (size_t i = 0; i < preamble - 8; ++i)
    bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  bytes += header;
  bytes.append(reinterpret_cast<const char *>(array.data.data()),
               array.data.size());
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
  if (os.has_error())
    return llvm::createStringError(
        os.error(), "cannot write '" + path + "': " + os.error().message());
  return llvm::Error::success();
}

template <typename T> static T load(const uint8_t *p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

template <typename T> static void store(uint8_t *p, T value) {
  std::memcpy(p, &value, sizeof(T));
}

std::vector<double> norm::toDoubles(const NpyArray &array) {
  size_t count = array.numElements();
  size_t size = getElementSize(array.type);
  std::vector<double> values(count);
  const uint8_t *p = array.data.data();
  for (size_t i = 0; i < count; ++i, p += size) {
    switch (array.type) {
    case ElementType::F16:
      values[i] = halfBitsToDouble(load<uint16_t>(p));
      break;
    case ElementType::BF16:
      values[i] = bf16BitsToDouble(load<uint16_t>(p));
      break;
    case ElementType::F32:
      values[i] = load<float>(p);
      break;
    case ElementType::F64:
      values[i] = load<double>(p);
      break;
    case ElementType::I8:
      values[i] = load<int8_t>(p);
      break;
    case ElementType::I32:
      values[i] = load<int32_t>(p);
      break;
    case ElementType::I64:
      values[i] = static_cast<double>(load<int64_t>(p));
      break;
    case ElementType::Bool:
      values[i] = *p != 0;
      break;
    }
  }
  return values;
}

NpyArray norm::fromDoubles(ElementType type, std::vector<int64_t> shape,
                           llvm::ArrayRef<double> values) {
  NpyArray array;
  array.type = type;
  array.shape = std::move(shape);
  size_t size = getElementSize(type);
  array.data.resize(values.size() * size);
  uint8_t *p = array.data.data();
  for (size_t i = 0; i < values.size(); ++i, p += size) {
    double v = values[i];
    switch (type) {
    case ElementType::F16:
      store(p, doubleToHalfBits(v));
      break;
    case ElementType::BF16:
      store(p, doubleToBF16Bits(v));
      break;
    case ElementType::F32:
      store(p, static_cast<float>(v));
      break;
    case ElementType::F64:
      store(p, v);
      break;
    case ElementType::I8:
      store(p, static_cast<int8_t>(v));
      break;
    case ElementType::I32:
      store(p, static_cast<int32_t>(v));
      break;
    case ElementType::I64:
      store(p, static_cast<int64_t>(v));
      break;
    case ElementType::Bool:
      *p = v != 0;
      break;
    }
  }
  return array;
}

NpyArray norm::convertArray(const NpyArray &array, ElementType type) {
  if (array.type == type)
    return array;
  return fromDoubles(type, array.shape, toDoubles(array));
}
