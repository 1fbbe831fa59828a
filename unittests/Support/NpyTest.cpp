//===- NpyTest.cpp - .npy reading and writing -----------------------------===//

#include "norm/Support/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <string>

using namespace norm;

namespace {
std::string errorOf(llvm::Expected<NpyArray> array) {
  if (array)
    return "";
  return llvm::toString(array.takeError());
}

TEST(Npy, HeaderIsExactlyWhatNumpyWrites) {
  NpyArray array = fromDoubles(ElementType::F32, {2, 3}, {1, 2, 3, 4, 5, 6});
  std::string bytes = serializeNpy(array);
  std::string header = "{'descr': '<f4', 'fortran_order': False, "
                       "'shape': (2, 3), }";
  // numpy pads with spaces and a newline to a multiple of 64 bytes.
  header.append(128 - 10 - header.size() - 1, ' ');
  header += '\n';
  std::string expected = std::string("\x93NUMPY\x01\x00", 8) +
                         std::string(1, static_cast<char>(header.size())) +
                         std::string(1, '\0') + header;
  ASSERT_EQ(bytes.size(), 128u + 24u);
  EXPECT_EQ(bytes.substr(0, 128), expected);
}

TEST(Npy, RoundTripsEveryTypeAndRank) {
  const ElementType types[] = {
      ElementType::F16, ElementType::F32, ElementType::F64, ElementType::I8,
      ElementType::I32, ElementType::I64, ElementType::Bool};
  const std::vector<int64_t> shapes[] = {
      {}, {5}, {2, 3}, {2, 1, 3}, {1, 2, 0, 4}};
  for (ElementType type : types) {
    for (const std::vector<int64_t> &shape : shapes) {
      int64_t count = 1;
      for (int64_t d : shape)
        count *= d;
      std::vector<double> values;
      for (int64_t i = 0; i < count; ++i)
        values.push_back(type == ElementType::Bool ? i % 2 : i - 2);
      NpyArray array = fromDoubles(type, shape, values);
      auto parsed = parseNpy(serializeNpy(array), "mem");
      ASSERT_TRUE(static_cast<bool>(parsed)) << errorOf(std::move(parsed));
      EXPECT_EQ(parsed->type, type);
      EXPECT_EQ(parsed->shape, shape);
      EXPECT_EQ(parsed->data, array.data);
    }
  }
}

TEST(Npy, BF16IsWrittenAsExactF32) {
  NpyArray array = fromDoubles(ElementType::BF16, {3}, {1.5, -2.0, 0.0078125});
  auto parsed = parseNpy(serializeNpy(array), "mem");
  ASSERT_TRUE(static_cast<bool>(parsed));
  EXPECT_EQ(parsed->type, ElementType::F32);
  EXPECT_EQ(toDoubles(*parsed), toDoubles(array));
}

TEST(Npy, ReadsBigEndianAndVersion2) {
  std::string header = "{'descr': '>f4', 'fortran_order': False, "
                       "'shape': (1,), }\n";
  std::string bytes = std::string("\x93NUMPY\x02\x00", 8);
  uint32_t length = header.size();
  bytes += std::string(reinterpret_cast<const char *>(&length), 4);
  bytes += header;
  bytes += std::string("\x3f\xc0\x00\x00", 4); // 1.5f big-endian
  auto parsed = parseNpy(bytes, "mem");
  ASSERT_TRUE(static_cast<bool>(parsed)) << errorOf(std::move(parsed));
  EXPECT_EQ(toDoubles(*parsed), std::vector<double>{1.5});
}

TEST(Npy, MalformedInputsGiveClearErrors) {
  std::string good = serializeNpy(fromDoubles(ElementType::F32, {2}, {1, 2}));
  EXPECT_NE(errorOf(parseNpy("hello", "a.npy")).find("magic"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(good.substr(0, 40), "a.npy")).find("truncated"),
            std::string::npos);
  EXPECT_NE(errorOf(parseNpy(good.substr(0, good.size() - 1), "a.npy"))
                .find("expected 8 bytes"),
            std::string::npos);
  std::string complexType = good;
  complexType.replace(complexType.find("<f4"), 3, "<c8");
  EXPECT_NE(errorOf(parseNpy(complexType, "a.npy")).find("unsupported dtype"),
            std::string::npos);
  std::string fortran = good;
  fortran.replace(fortran.find("False"), 5, "True ");
  EXPECT_NE(errorOf(parseNpy(fortran, "a.npy")).find("Fortran"),
            std::string::npos);
  EXPECT_NE(errorOf(readNpy("/nonexistent/x.npy")).find("cannot read"),
            std::string::npos);
}

TEST(Npy, WritesAndReadsFiles) {
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("npytest", "npy", path));
  NpyArray array = fromDoubles(ElementType::F64, {2, 2}, {1, 2, 3, 4});
  ASSERT_FALSE(static_cast<bool>(writeNpy(path, array)));
  auto read = readNpy(path);
  ASSERT_TRUE(static_cast<bool>(read));
  EXPECT_EQ(read->data, array.data);
  llvm::sys::fs::remove(path);
}
} // namespace
