//===- NpyTest.cpp - Reading and writing .npy files -----------------------===//

#include "norm/Support/Npy.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>

using namespace norm;
using llvm::StringRef;

namespace {
/// The error message of `result`, or "" if it succeeded.
std::string errorOf(llvm::Expected<NpyArray> result) {
  if (result)
    return "";
  return llvm::toString(result.takeError());
}

/// A .npy file of format `major`.0 holding `header` and `data` as given.
std::string makeNpy(StringRef header, StringRef data, unsigned major = 1) {
  std::string bytes("\x93NUMPY", 6);
  bytes += static_cast<char>(major);
  bytes += '\0';
  size_t lengthSize = major == 1 ? 2 : 4;
  for (size_t i = 0; i < lengthSize; ++i)
    bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return bytes + header.str() + data.str();
}

std::string dict(StringRef descr, StringRef shape,
                 StringRef fortran = "False") {
  return ("{'descr': '" + descr + "', 'fortran_order': " + fortran +
          ", 'shape': " + shape + ", }\n")
      .str();
}

std::string bytesOf(const void *data, size_t size) {
  return std::string(static_cast<const char *>(data), size);
}

/// The dict numpy writes, padded with `spaces` spaces and a newline.
std::string padded(StringRef text, size_t spaces) {
  return text.str() + std::string(spaces, ' ') + "\n";
}

TEST(Npy, HeaderIsByteForByteWhatNumpyWrites) {
  NpyArray array = fromDoubles(ElementType::F32, {2, 3}, {1, 2, 3, 4, 5, 6});
  std::string bytes = serializeNpy(array);
  // np.save(f, np.arange(1, 7, dtype=np.float32).reshape(2, 3)): version
  // 1.0, 118 (0x76) header bytes: the dict, 58 spaces and a newline.
  std::string expected("\x93NUMPY\x01\x00\x76\x00", 10);
  expected += "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  expected += std::string(58, ' ');
  expected += "\n";
  ASSERT_EQ(expected.size(), 128u);
  ASSERT_EQ(bytes.size(), 128u + 24u);
  EXPECT_EQ(bytes.substr(0, 128), expected);
  float values[] = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(bytes.substr(128), bytesOf(values, sizeof(values)));
  EXPECT_EQ(formatNpyHeader(ElementType::F32, {2, 3}), expected);
}

TEST(Npy, HeaderSpellsShapesAndDtypesLikePython) {
  auto headerOf = [](ElementType type, std::vector<int64_t> shape) {
    return formatNpyHeader(type, shape).substr(10);
  };
  EXPECT_EQ(
      headerOf(ElementType::F64, {}),
      padded("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 62));
  EXPECT_EQ(
      headerOf(ElementType::I8, {7}),
      padded("{'descr': '|i1', 'fortran_order': False, 'shape': (7,), }", 60));
  EXPECT_EQ(headerOf(ElementType::Bool, {12345, 2}),
            padded("{'descr': '|b1', 'fortran_order': False, "
                   "'shape': (12345, 2), }",
                   54));
  EXPECT_EQ(headerOf(ElementType::I64, {1, 2, 3, 4}),
            padded("{'descr': '<i8', 'fortran_order': False, "
                   "'shape': (1, 2, 3, 4), }",
                   52));
  EXPECT_EQ(headerOf(ElementType::F16, {3}).substr(0, 15), "{'descr': '<f2'");
  EXPECT_EQ(headerOf(ElementType::I32, {3}).substr(0, 15), "{'descr': '<i4'");
  EXPECT_EQ(headerOf(ElementType::BF16, {3}).substr(0, 15), "{'descr': '<f4'");
}

TEST(Npy, AlreadyAlignedHeaderGetsAFullPadLikeNumpy) {
  // numpy pads by 64 - (size % 64), a whole 64 when the header is already
  // aligned: 10 + 117 + 1 would be 128 here, numpy makes it 192.
  std::vector<int64_t> shape = {0, 123456789, 123456789, 123456789, 123456};
  std::string header = formatNpyHeader(ElementType::F32, shape);
  std::string expected("\x93NUMPY\x01\x00\xb6\x00", 10);
  expected += padded("{'descr': '<f4', 'fortran_order': False, "
                     "'shape': (0, 123456789, 123456789, 123456789, 123456), }",
                     84);
  EXPECT_EQ(header, expected);
  auto parsed =
      parseNpy(serializeNpy(fromDoubles(ElementType::F32, shape, {})), "mem");
  ASSERT_TRUE(static_cast<bool>(parsed)) << errorOf(std::move(parsed));
  EXPECT_EQ(parsed->shape, shape);
}

TEST(Npy, RoundTripsEveryTypeAndRank) {
  const ElementType types[] = {
      ElementType::F16, ElementType::BF16, ElementType::F32, ElementType::F64,
      ElementType::I8,  ElementType::I32,  ElementType::I64, ElementType::Bool};
  const std::vector<int64_t> shapes[] = {
      {}, {5}, {2, 3}, {2, 1, 3}, {3, 2, 1, 2}, {1, 2, 0, 4}, {0}};
  for (ElementType type : types) {
    for (const std::vector<int64_t> &shape : shapes) {
      int64_t count = 1;
      for (int64_t dim : shape)
        count *= dim;
      std::vector<double> values;
      for (int64_t i = 0; i < count; ++i)
        values.push_back(type == ElementType::Bool ? i % 2 : 0.75 * i - 2);
      NpyArray array = fromDoubles(type, shape, values);
      std::string bytes = serializeNpy(array);
      SCOPED_TRACE(getElementTypeName(type).str() + " rank " +
                   std::to_string(shape.size()));
      EXPECT_EQ(bytes.find('\n') + 1,
                bytes.size() -
                    count *
                        (type == ElementType::BF16 ? 4 : getElementSize(type)));
      EXPECT_EQ((bytes.find('\n') + 1) % 64, 0u);
      auto parsed = parseNpy(bytes, "mem");
      ASSERT_TRUE(static_cast<bool>(parsed)) << errorOf(std::move(parsed));
      EXPECT_EQ(parsed->shape, shape);
      EXPECT_EQ(parsed->numElements(), count);
      if (type == ElementType::BF16) {
        // Written as exact f32.
        EXPECT_EQ(parsed->type, ElementType::F32);
        EXPECT_EQ(toDoubles(*parsed), toDoubles(array));
        EXPECT_EQ(convertArray(*parsed, ElementType::BF16).data, array.data);
      } else {
        EXPECT_EQ(parsed->type, type);
        EXPECT_EQ(parsed->data, array.data);
      }
    }
  }
}

TEST(Npy, RoundTripsSpecialFloatsBitForBit) {
  NpyArray array = fromDoubles(ElementType::F64, {5},
                               {NAN, -INFINITY, -0.0, 5e-324, 1.0 / 3});
  auto parsed = parseNpy(serializeNpy(array), "mem");
  ASSERT_TRUE(static_cast<bool>(parsed));
  EXPECT_EQ(parsed->data, array.data);
}

TEST(Npy, ReadsBFloat16Bits) {
  uint16_t bits[] = {0x3fc0, 0xc000}; // 1.5, -2
  for (StringRef descr : {"bfloat16", "<V2", "|V2"}) {
    auto parsed =
        parseNpy(makeNpy(dict(descr, "(2,)"), bytesOf(bits, 4)), "mem");
    ASSERT_TRUE(static_cast<bool>(parsed)) << errorOf(std::move(parsed));
    EXPECT_EQ(parsed->type, ElementType::BF16);
    EXPECT_EQ(toDoubles(*parsed), (std::vector<double>{1.5, -2.0}));
  }
}

TEST(Npy, ReadsBigEndian) {
  auto read = [](StringRef descr, StringRef data) {
    auto parsed = parseNpy(makeNpy(dict(descr, "(1,)"), data), "mem");
    EXPECT_TRUE(static_cast<bool>(parsed)) << errorOf(std::move(parsed));
    return parsed ? toDoubles(*parsed) : std::vector<double>();
  };
  EXPECT_EQ(read(">f4", StringRef("\x3f\xc0\x00\x00", 4)),
            std::vector<double>{1.5});
  EXPECT_EQ(read(">f2", StringRef("\x3e\x00", 2)), std::vector<double>{1.5});
  EXPECT_EQ(read(">f8", StringRef("\xc0\x04\x00\x00\x00\x00\x00\x00", 8)),
            std::vector<double>{-2.5});
  EXPECT_EQ(read(">i4", StringRef("\xff\xff\xff\xfe", 4)),
            std::vector<double>{-2});
  EXPECT_EQ(read(">i8", StringRef("\x00\x00\x00\x00\x00\x01\x00\x00", 8)),
            std::vector<double>{65536});
  EXPECT_EQ(read(">i1", StringRef("\x85", 1)), std::vector<double>{-123});
  // Stored as little-endian: identical to the '<f4' bytes.
  auto parsed = parseNpy(
      makeNpy(dict(">f4", "(2,)"), StringRef("\x3f\xc0\0\0\xc0\0\0\0", 8)),
      "mem");
  ASSERT_TRUE(static_cast<bool>(parsed));
  float expected[] = {1.5f, -2.0f};
  EXPECT_EQ(parsed->type, ElementType::F32);
  EXPECT_EQ(bytesOf(parsed->data.data(), 8), bytesOf(expected, 8));
}

TEST(Npy, ReadsVersions2And3) {
  float values[] = {1.5f, 2.5f};
  for (unsigned major : {2u, 3u}) {
    auto parsed = parseNpy(
        makeNpy(dict("<f4", "(1, 2)"), bytesOf(values, 8), major), "mem");
    ASSERT_TRUE(static_cast<bool>(parsed)) << errorOf(std::move(parsed));
    EXPECT_EQ(parsed->shape, (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(toDoubles(*parsed), (std::vector<double>{1.5, 2.5}));
  }
}

TEST(Npy, WritesVersion2WhenTheHeaderOutgrows64KiB) {
  // A zero-size array whose shape alone needs more than 65535 header bytes.
  std::vector<int64_t> shape(8000, 1234567890);
  shape[0] = 0;
  std::string bytes = serializeNpy(fromDoubles(ElementType::F32, shape, {}));
  EXPECT_EQ(bytes[6], '\x02');
  EXPECT_EQ(bytes.size() % 64, 0u);
  auto parsed = parseNpy(bytes, "mem");
  ASSERT_TRUE(static_cast<bool>(parsed)) << errorOf(std::move(parsed));
  EXPECT_EQ(parsed->shape, shape);
}

TEST(Npy, ReadsHandWrittenHeaders) {
  int32_t values[] = {1, 2, 3, 4, 5, 6};
  StringRef data = StringRef(reinterpret_cast<const char *>(values), 24);
  // Any key order, double quotes, no trailing comma, Python 2 longs, extra
  // spaces, no padding.
  for (StringRef header :
       {"{'shape': (2, 3), 'fortran_order': False, 'descr': '<i4'}",
        "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (2L, 3L)}",
        "  { 'descr' : 'i4' , 'fortran_order' : False , 'shape' : ( 2 , 3 , ) "
        ", }  \n"}) {
    auto parsed = parseNpy(makeNpy(header, data), "mem");
    ASSERT_TRUE(static_cast<bool>(parsed))
        << header.str() << ": " << errorOf(std::move(parsed));
    EXPECT_EQ(parsed->type, ElementType::I32);
    EXPECT_EQ(parsed->shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(toDoubles(*parsed), (std::vector<double>{1, 2, 3, 4, 5, 6}));
  }
}

TEST(Npy, AcceptsFortranOrderOnlyWhereItEqualsCOrder) {
  float values[] = {1, 2, 3};
  EXPECT_EQ(errorOf(parseNpy(
                makeNpy(dict("<f4", "(1, 3, 1)", "True"), bytesOf(values, 12)),
                "mem")),
            "");
  EXPECT_EQ(
      errorOf(parseNpy(makeNpy(dict("<f4", "(0, 3)", "True"), ""), "mem")), "");
}

TEST(Npy, NormalizesBools) {
  auto parsed =
      parseNpy(makeNpy(dict("|b1", "(3,)"), StringRef("\0\x01\x07", 3)), "mem");
  ASSERT_TRUE(static_cast<bool>(parsed));
  EXPECT_EQ(parsed->data, (std::vector<uint8_t>{0, 1, 1}));
}

/// Each malformed input gives an error naming the file and the problem.
TEST(Npy, MalformedInputsGiveClearErrors) {
  std::string good = serializeNpy(fromDoubles(ElementType::F32, {2}, {1, 2}));
  std::string eight(8, '\0');
  auto expectError = [](const std::string &bytes, StringRef substring) {
    std::string message = errorOf(parseNpy(bytes, "a.npy"));
    EXPECT_NE(message.find("'a.npy' is not a valid .npy file: "),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(substring.str()), std::string::npos)
        << "'" << message << "' lacks '" << substring.str() << "'";
  };
  expectError("", "magic");
  expectError("hello, this is not numpy", "magic");
  expectError("\x93NUMP", "magic");
  expectError(std::string("\x93NUMPY", 6), "truncated header");
  expectError(std::string("\x93NUMPY\x01\x00\x10", 9), "truncated header");
  expectError(std::string("\x93NUMPY\x02\x00\x10\x00\x00", 11),
              "truncated header");
  expectError(good.substr(0, 40), "truncated header: 118 bytes announced");
  std::string version = good;
  version[6] = 4;
  expectError(version, "unsupported format version 4.0");
  version[6] = 1;
  version[7] = 1;
  expectError(version, "unsupported format version 1.1");

  expectError(makeNpy("[1, 2]", eight), "malformed header dictionary");
  expectError(makeNpy("{'descr': '<f4', 'fortran_order': False}", eight),
              "no 'shape' key");
  expectError(makeNpy("{'fortran_order': False, 'shape': (2,)}", eight),
              "no 'descr' key");
  expectError(makeNpy(dict("<f4", "(2,)").substr(0, 30), eight),
              "malformed header");
  expectError(makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': "
                      "(2,), 'extra': 1}",
                      eight),
              "unexpected key 'extra'");
  expectError(makeNpy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': "
                      "False, 'shape': (2,)}",
                      eight),
              "duplicate key 'descr'");
  expectError(
      makeNpy("{'descr': <f4, 'fortran_order': False, 'shape': (2,)}", eight),
      "'descr' is not a string");
  expectError(makeNpy(dict("<f4", "(2,)", "0"), eight),
              "'fortran_order' is not True or False");
  expectError(makeNpy(dict("<f4", "[2]"), eight), "'shape' is not a tuple");
  expectError(makeNpy(dict("<f4", "(-2,)"), eight), "non-negative ints");
  expectError(makeNpy(dict("<f4", "(2.0,)"), eight), "in 'shape'");
  expectError(makeNpy(dict("<f4", "(99999999999999999999,)"), eight),
              "non-negative ints");
  expectError(makeNpy(dict("<f4", "(2 3)"), eight), "expected ',' or ')'");
  expectError(makeNpy(dict("<f4", "(2,)") + "x", eight),
              "unexpected text after '}'");
  expectError(makeNpy(dict("<f4", "(2,)").insert(0, "\x01"), eight),
              "\\01{'descr'"); // Unprintable bytes are escaped.

  expectError(makeNpy(dict("<c8", "(1,)"), eight), "unsupported dtype \"<c8\"");
  expectError(makeNpy(dict("|u1", "(8,)"), eight), "unsupported dtype \"|u1\"");
  expectError(makeNpy(dict("<u2", "(4,)"), eight), "unsupported dtype");
  expectError(makeNpy(dict("|O", "(1,)"), eight), "unsupported dtype");
  expectError(makeNpy(dict(">V2", "(4,)"), eight), "unsupported dtype");
  expectError(makeNpy("{'descr': [('x', '<f4')], 'fortran_order': False, "
                      "'shape': (2,)}",
                      eight),
              "structured dtypes are not supported");

  expectError(good.substr(0, good.size() - 1),
              "expected 8 bytes of data for dtype '<f4' and shape (2,), "
              "found 7");
  expectError(good + "x", "expected 8 bytes of data");
  expectError(makeNpy(dict("<f8", "()"), ""), "expected 8 bytes");
  expectError(makeNpy(dict("<f4", "(4611686018427387904, 4)"), eight),
              "shape (4611686018427387904, 4) is too large");
  expectError(makeNpy(dict("<f4", "(2, 3)", "True"), std::string(24, '\0')),
              "Fortran-ordered arrays are not supported");
}

/// Parses `bytes` from a heap buffer of exactly their size, so that an
/// out-of-bounds read is caught by AddressSanitizer; checks that a success
/// is consistent.
bool parseExactBuffer(const std::string &bytes) {
  std::unique_ptr<char[]> buffer(new char[bytes.size()]);
  std::memcpy(buffer.get(), bytes.data(), bytes.size());
  auto parsed = parseNpy(StringRef(buffer.get(), bytes.size()), "a.npy");
  if (!parsed) {
    llvm::consumeError(parsed.takeError());
    return false;
  }
  EXPECT_EQ(parsed->data.size(),
            parsed->numElements() * getElementSize(parsed->type));
  return true;
}

/// No prefix of a file and no corruption may crash the parser or make it
/// read out of bounds (build with -fsanitize=address to check the latter).
TEST(Npy, SurvivesTruncationAndCorruption) {
  std::string good =
      serializeNpy(fromDoubles(ElementType::F64, {2, 2}, {1, 2, 3, 4}));
  for (size_t size = 0; size < good.size(); ++size)
    EXPECT_FALSE(parseExactBuffer(good.substr(0, size))) << size;
  EXPECT_TRUE(parseExactBuffer(good));
  const char interesting[] = {0,   ' ', '\'', '"', '(', ')', ',',   ':',
                              '{', '}', '[',  '1', 'L', '-', '\xff'};
  for (size_t at = 0; at < 128; ++at) {
    for (char value : interesting) {
      std::string corrupt = good;
      corrupt[at] = value;
      parseExactBuffer(corrupt);
      parseExactBuffer(corrupt.substr(0, at + 1));
    }
  }
  std::mt19937 engine(7);
  for (int i = 0; i < 20000; ++i) {
    std::string corrupt = good;
    for (int changes = 1 + engine() % 4; changes > 0; --changes)
      corrupt[engine() % 128] = interesting[engine() % sizeof(interesting)];
    corrupt.resize(engine() % (corrupt.size() + 1));
    parseExactBuffer(corrupt);
  }
}

TEST(Npy, WritesAndReadsFiles) {
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("npytest", "npy", path));
  NpyArray array = fromDoubles(ElementType::F64, {2, 2}, {1, 2, 3, 4});
  llvm::Error written = writeNpy(path, array);
  ASSERT_FALSE(static_cast<bool>(written))
      << llvm::toString(std::move(written));
  auto read = readNpy(path);
  ASSERT_TRUE(static_cast<bool>(read)) << errorOf(std::move(read));
  EXPECT_EQ(read->type, ElementType::F64);
  EXPECT_EQ(read->shape, array.shape);
  EXPECT_EQ(read->data, array.data);
  llvm::sys::fs::remove(path);
}

TEST(Npy, FileErrorsNameTheFile) {
  std::string missing = errorOf(readNpy("/nonexistent/dir/x.npy"));
  EXPECT_NE(missing.find("cannot read '/nonexistent/dir/x.npy'"),
            std::string::npos)
      << missing;

  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("npytest", "npy", path));
  {
    std::error_code error;
    llvm::raw_fd_ostream os(path, error);
    os << "not a numpy file\n";
  }
  std::string bad = errorOf(readNpy(path));
  EXPECT_NE(bad.find(("'" + path + "' is not a valid .npy file").str()),
            std::string::npos)
      << bad;
  llvm::sys::fs::remove(path);

  llvm::Error error = writeNpy("/nonexistent/dir/y.npy",
                               fromDoubles(ElementType::F32, {1}, {1}));
  ASSERT_TRUE(static_cast<bool>(error));
  EXPECT_NE(llvm::toString(std::move(error))
                .find("cannot write '/nonexistent/dir/y.npy'"),
            std::string::npos);
}

TEST(Npy, ShapeProductsAreOverflowChecked) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(getNumElements({}), 1);
  EXPECT_EQ(getNumElements({3, 0, 5}), 0);
  EXPECT_EQ(getNumElements({kMax}), kMax);
  EXPECT_EQ(getNumElements({kMax, 2}), std::nullopt);
  EXPECT_EQ(getNumElements({int64_t(1) << 32, int64_t(1) << 31}), std::nullopt);
  // Like numpy: a zero dim makes the array empty whatever the others.
  EXPECT_EQ(getNumElements({0, kMax, kMax}), 0);
  EXPECT_EQ(getNumElements({-1}), std::nullopt);
  EXPECT_EQ(getByteSize(ElementType::F32, {int64_t(1) << 61}), std::nullopt);
  EXPECT_EQ(getByteSize(ElementType::F32, {int64_t(1) << 60}), int64_t(1)
                                                                   << 62);
}

/// A temporary file holding `bytes`; removed by the destructor.
struct TempNpy {
  explicit TempNpy(StringRef bytes) {
    EXPECT_FALSE(llvm::sys::fs::createTemporaryFile("npytest", "npy", path));
    std::error_code error;
    llvm::raw_fd_ostream os(path, error);
    os << bytes;
  }
  ~TempNpy() { llvm::sys::fs::remove(path); }
  llvm::SmallString<128> path;
};

TEST(Npy, FileHeadersAreCheckedAgainstTheFileSize) {
  std::string eight(8, '\0');
  // An absurd shape is refused from the header, before any allocation.
  TempNpy huge(makeNpy(dict("<f4", "(1099511627776, 1099511627776)"), eight));
  std::string error = errorOf(readNpy(huge.path));
  EXPECT_NE(error.find("shape (1099511627776, 1099511627776) is too large"),
            std::string::npos)
      << error;
  TempNpy large(makeNpy(dict("<f4", "(1073741824,)"), eight));
  error = errorOf(readNpy(large.path));
  EXPECT_NE(error.find("expected 4294967296 bytes of data for dtype '<f4' "
                       "and shape (1073741824,), found 8"),
            std::string::npos)
      << error;
  std::string header = makeNpy(dict("<f4", "(2,)"), eight);
  header[8] = '\xff'; // The header length, now past the end of the file.
  header[9] = '\xff';
  TempNpy truncated(header);
  error = errorOf(readNpy(truncated.path));
  EXPECT_NE(error.find("truncated header: 65535 bytes announced"),
            std::string::npos)
      << error;
}

TEST(Npy, NpyFileReadsIntoCallerMemoryWithConversion) {
  NpyArray f32 = fromDoubles(ElementType::F32, {2, 3},
                             {1.5, -2.0, 3.25, 1e-3, 1.0 / 3, 7});
  TempNpy file(serializeNpy(f32));
  llvm::Expected<NpyFile> npy = NpyFile::open(file.path);
  ASSERT_TRUE(static_cast<bool>(npy)) << llvm::toString(npy.takeError());
  EXPECT_EQ(npy->getType(), ElementType::F32);
  EXPECT_EQ(npy->getShape(), llvm::ArrayRef<int64_t>({2, 3}));
  EXPECT_EQ(npy->getDataSize(), 24);
  std::vector<uint8_t> same(24), bf16(12), tooSmall(4);
  ASSERT_FALSE(static_cast<bool>(npy->read(ElementType::F32, same)));
  EXPECT_EQ(same, f32.data);
  ASSERT_FALSE(static_cast<bool>(npy->read(ElementType::BF16, bf16)));
  EXPECT_EQ(bf16, convertArray(f32, ElementType::BF16).data);
  llvm::Error error = npy->read(ElementType::F32, tooSmall);
  ASSERT_TRUE(static_cast<bool>(error));
  llvm::consumeError(std::move(error));
}

/// The names in the directory of `path` that start with its file name.
std::vector<std::string> filesLike(StringRef path) {
  std::vector<std::string> names;
  std::error_code error;
  for (llvm::sys::fs::directory_iterator
           it(llvm::sys::path::parent_path(path), error),
       end;
       it != end && !error; it.increment(error))
    if (llvm::sys::path::filename(it->path())
            .starts_with(llvm::sys::path::filename(path)))
      names.push_back(it->path());
  return names;
}

TEST(Npy, PendingFilesReplaceWholeOrNotAtAll) {
  TempNpy file("old contents");
  NpyArray array = fromDoubles(ElementType::F32, {2}, {1, 2});
  {
    llvm::Expected<PendingNpyFile> pending =
        PendingNpyFile::write(file.path, array);
    ASSERT_TRUE(static_cast<bool>(pending))
        << llvm::toString(pending.takeError());
    EXPECT_EQ(filesLike(file.path).size(), 2u); // The file and its temporary.
  } // Not committed: the temporary goes, the old file stays.
  EXPECT_EQ(filesLike(file.path),
            std::vector<std::string>{std::string(file.path)});
  auto old = llvm::MemoryBuffer::getFile(file.path);
  ASSERT_TRUE(static_cast<bool>(old));
  EXPECT_EQ((*old)->getBuffer(), "old contents");

  llvm::Expected<PendingNpyFile> pending =
      PendingNpyFile::write(file.path, array);
  ASSERT_TRUE(static_cast<bool>(pending));
  ASSERT_FALSE(static_cast<bool>(pending->commit()));
  EXPECT_EQ(filesLike(file.path),
            std::vector<std::string>{std::string(file.path)});
  auto read = readNpy(file.path);
  ASSERT_TRUE(static_cast<bool>(read)) << errorOf(std::move(read));
  EXPECT_EQ(read->data, array.data);
}

TEST(Npy, WritesStridedAndBFloat16ViewsWithoutCopies) {
  // A transposed view of a 2x3 array: shape [3, 2], strides [1, 3].
  NpyArray base = fromDoubles(ElementType::F32, {2, 3}, {0, 1, 2, 3, 4, 5});
  std::vector<int64_t> shape = {3, 2}, strides = {1, 3};
  NpyArrayRef transposed(ElementType::F32, shape, strides, base.data.data());
  EXPECT_FALSE(transposed.isRowMajor());
  EXPECT_EQ(transposed.getAsDouble(1), 3.0);
  TempNpy file("");
  ASSERT_FALSE(static_cast<bool>(writeNpy(file.path, transposed)));
  auto read = readNpy(file.path);
  ASSERT_TRUE(static_cast<bool>(read)) << errorOf(std::move(read));
  EXPECT_EQ(read->shape, shape);
  EXPECT_EQ(toDoubles(*read), (std::vector<double>{0, 3, 1, 4, 2, 5}));

  NpyArray bf16 = fromDoubles(ElementType::BF16, {3}, {1.5, -2, 0.25});
  ASSERT_FALSE(static_cast<bool>(writeNpy(file.path, bf16)));
  read = readNpy(file.path);
  ASSERT_TRUE(static_cast<bool>(read)) << errorOf(std::move(read));
  EXPECT_EQ(read->type, ElementType::F32);
  EXPECT_EQ(toDoubles(*read), (std::vector<double>{1.5, -2, 0.25}));
}
} // namespace
