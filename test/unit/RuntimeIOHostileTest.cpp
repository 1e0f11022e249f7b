//===- RuntimeIOHostileTest.cpp - Weights and data I/O: hostile files -----===//
//
// Truncated, corrupt and lying files for the safetensors, .npy and IDX
// readers. Every one must be refused with an error that names the file and
// the problem, and never read out of bounds (this suite also runs under
// AddressSanitizer + UndefinedBehaviorSanitizer).
//
//===----------------------------------------------------------------------===//

#include "RuntimeIOTestUtil.h"

#include "runtime/io/Idx.h"
#include "runtime/io/Npy.h"
#include "runtime/io/Safetensors.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

using namespace nnc::rt;
using namespace nnc::rt::iotest;

namespace {

template <typename Reader>
void expectRefused(Reader read, const std::string &path,
                   const std::string &expected, const std::string &what) {
  std::string error;
  EXPECT_FALSE(read(path, error)) << what;
  EXPECT_EQ(error.rfind(path + ":", 0), 0u)
      << what << ": error does not start with the file name: " << error;
  EXPECT_NE(error.find(expected), std::string::npos)
      << what << ": expected \"" << expected << "\" in: " << error;
}

auto readSt = [](const std::string &p, std::string &e) {
  return readSafetensors(p, e).has_value();
};
auto readNp = [](const std::string &p, std::string &e) {
  return readNpy(p, e).has_value();
};
auto readId = [](const std::string &p, std::string &e) {
  return readIdx(p, e).has_value();
};

/// Every proper prefix of a valid file must be refused.
template <typename Reader>
void expectEveryPrefixRefused(Reader read, const TempDir &dir,
                              const std::string &valid) {
  std::string path = dir.path("prefix");
  for (size_t len = 0; len < valid.size(); ++len) {
    writeFile(path, valid.substr(0, len));
    std::string error;
    ASSERT_FALSE(read(path, error)) << "prefix of " << len << " bytes";
    ASSERT_EQ(error.rfind(path + ":", 0), 0u) << error;
  }
}

std::string safetensorsFile(const std::string &header, size_t dataBytes) {
  return le(header.size(), 8) + header + std::string(dataBytes, '\0');
}

TEST(RuntimeIOSafetensorsHostile, EveryTruncationIsRefused) {
  TempDir dir;
  std::string path = dir.path("valid.safetensors"), error;
  ASSERT_TRUE(writeSafetensors(path,
                               {{"w", makePattern(DType::F32, {2, 3})},
                                {"b", makePattern(DType::I8, {3})},
                                {"m", makePattern(DType::Bool, {2})}},
                               error, {{"k", "v"}}))
      << error;
  std::string valid = readFile(path);
  ASSERT_TRUE(readSafetensors(path, error)) << error;
  expectEveryPrefixRefused(readSt, dir, valid);
  // One byte too many is refused too (it belongs to no tensor).
  writeFile(path, valid + '\0');
  expectRefused(readSt, path, "belongs to no tensor", "trailing byte");
}

TEST(RuntimeIOSafetensorsHostile, BadHeaderLength) {
  TempDir dir;
  std::string path = dir.path("h.safetensors");
  writeFile(path, le(1000, 8) + "{}");
  expectRefused(readSt, path, "header length 1000 exceeds the 2 bytes", "long");
  writeFile(path, le(UINT64_MAX, 8) + "{}");
  expectRefused(readSt, path, "exceeds", "2^64-1");
  writeFile(path, le(0, 8));
  expectRefused(readSt, path, "does not start with '{'", "empty header");
  writeFile(path, le(2, 8) + "[]");
  expectRefused(readSt, path, "does not start with '{'", "array header");

  // Over 100 MiB: refused before the header is read (the file is sparse).
  uint64_t big = (uint64_t(100) << 20) + 8;
  writeFile(path, le(big, 8) + "{");
  ASSERT_EQ(::truncate(path.c_str(), off_t(8 + big)), 0);
  expectRefused(readSt, path, "exceeds the 100 MiB limit", "huge header");
}

TEST(RuntimeIOSafetensorsHostile, LyingOrMalformedTensorEntries) {
  TempDir dir;
  std::string path = dir.path("t.safetensors");
  struct Case {
    const char *header;
    size_t dataBytes;
    const char *expected;
  } cases[] = {
      // Offsets that do not match the shape, overlap, leave gaps, run out.
      {R"({"fc1.weight":{"dtype":"F32","shape":[20,20],"data_offsets":[0,400]}})",
       400,
       "tensor \"fc1.weight\": data_offsets [0, 400] hold 400 bytes but "
       "F32[20, 20] needs 1600"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
       R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
       12, "tensor \"b\": data_offsets [4, 12] overlap tensor \"a\" [0, 8]"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
       R"("b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
       8, "overlap tensor \"a\""},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
       R"("b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})",
       20,
       "tensor \"b\": data_offsets [12, 20] leave a gap: data bytes [8, 12)"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12,
       "leave a gap: data bytes [0, 4)"},
      {R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8,
       "tensor \"a\": data_offsets [0, 16] run past the end of the data "
       "section (8 bytes)"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 12,
       "the tensors cover 8 bytes of the 12-byte data section"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8,
       "data_offsets [8, 0] end before they begin"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}})", 8,
       "data_offsets must be non-negative integers, found [-8, 0]"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,18446744073709551615]}})",
       8, "data_offsets must be non-negative integers"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", 8,
       "data_offsets must be an array [begin, end], found an array of 1"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}})", 8,
       "found an array of 3"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":"0-8"}})", 8,
       "found a string"},
      // Dtypes.
      {R"({"a":{"dtype":"U16","shape":[2],"data_offsets":[0,4]}})", 4,
       "tensor \"a\": unsupported dtype \"U16\""},
      {R"({"a":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}})", 8,
       "unsupported dtype \"f32\""},
      {R"({"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}})", 8,
       "dtype must be a string, found a number"},
      // Shapes: negative, non-integer, overflowing.
      {R"({"a":{"dtype":"F32","shape":[2,-3],"data_offsets":[0,8]}})", 8,
       "tensor \"a\": shape[1] is -3; dimensions must be non-negative"},
      {R"({"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", 8,
       "shape[0] is not an integer in int64 range"},
      {R"({"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}})",
       8, "shape[0] is not an integer in int64 range"},
      {R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})",
       0, "F32[4294967296, 4294967296] is too large"},
      {R"({"a":{"dtype":"U8","shape":[0,4611686018427387904,4],"data_offsets":[0,0]}})",
       0, "is too large"},
      {R"({"a":{"dtype":"F32","shape":"2","data_offsets":[0,8]}})", 8,
       "shape must be an array, found a string"},
      // Fields.
      {R"({"a":{"dtype":"F32","shape":[2]}})", 8,
       "tensor \"a\": missing field 'data_offsets'"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}})", 8,
       "tensor \"a\": unknown field \"x\""},
      {R"({"a":5})", 0,
       "tensor \"a\": expected an object with dtype, shape and data_offsets, "
       "found a number"},
      {R"({"__metadata__":{"k":1}})", 0,
       "__metadata__ field \"k\" must be a string, found a number"},
      {R"({"__metadata__":[]})", 0,
       "__metadata__ must be an object, found an array"},
      // Bad JSON.
      {R"({"a)", 0, "header JSON at byte 3: unterminated string"},
      {R"({"a":{"dtype":"F32"} x})", 0, "expected ',' or '}' in object"},
      {R"({} x)", 0, "unexpected 'x' after the JSON value"},
      {R"({"a":1,})", 0, "expected a string key"},
      {R"({"a":01})", 0, "leading zeros"},
      {R"({"a":NaN})", 0, "unexpected 'N', expected a value"},
      {R"({"a\q":1})", 0, "invalid escape '\\q'"},
      {"{\"a\tb\":1}", 0, "control character in string"},
      {"{\"a\xff\":1}", 0, "invalid UTF-8 in string"},
      {R"({"\ud800":1})", 0, "high surrogate not followed by a low surrogate"},
      {R"({"a":1,"a":2})", 0, "duplicate key \"a\""},
      {R"({"a":tru})", 0, "invalid literal"},
  };
  for (const Case &c : cases) {
    writeFile(path, safetensorsFile(c.header, c.dataBytes));
    expectRefused(readSt, path, c.expected, c.header);
  }
}

TEST(RuntimeIOSafetensorsHostile, DeepNestingIsBounded) {
  // 100000 levels would overflow the stack of an unbounded recursive parser.
  TempDir dir;
  std::string path = dir.path("deep.safetensors");
  for (const char *open : {"[", "{\"a\":"}) {
    std::string header = "{\"__metadata__\":";
    for (int i = 0; i < 100000; ++i)
      header += open;
    writeFile(path, safetensorsFile(header, 0));
    expectRefused(readSt, path, "nesting deeper than 64 levels", open);
  }
}

TEST(RuntimeIOSafetensorsHostile, BoolsMustBeZeroOrOne) {
  TempDir dir;
  std::string path = dir.path("b.safetensors");
  std::string header =
      R"({"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}})";
  writeFile(path, le(header.size(), 8) + header + std::string("\1\0\2", 3));
  expectRefused(readSt, path, "tensor \"m\": bool element 2 is 2, not 0 or 1",
                "bool 2");
}

TEST(RuntimeIOSafetensorsHostile, NotAFile) {
  TempDir dir;
  expectRefused(readSt, dir.root(), "not a regular file", "directory");
  expectRefused(readSt, dir.path("missing.safetensors"), "cannot open",
                "missing");
}

/// A .npy file with header dict text `dict` (padding and '\n' added).
std::string npyFile(const std::string &dict, const std::string &data,
                    int major = 1) {
  std::string header = dict + "\n";
  std::string len = major == 1 ? le(header.size(), 2) : le(header.size(), 4);
  return std::string("\x93NUMPY", 6) + char(major) + '\0' + len + header + data;
}

TEST(RuntimeIONpyHostile, EveryTruncationIsRefused) {
  TempDir dir;
  std::string path = dir.path("v.npy"), error;
  ASSERT_TRUE(writeNpy(path, makePattern(DType::F32, {3, 2}), error));
  std::string valid = readFile(path);
  expectEveryPrefixRefused(readNp, dir, valid);
  writeFile(path, valid + "x");
  expectRefused(readNp, path, "the data is 25 bytes but '<f4' [3, 2] needs 24",
                "trailing byte");
}

TEST(RuntimeIONpyHostile, BadMagicVersionAndLength) {
  TempDir dir;
  std::string path = dir.path("m.npy");
  std::string good = npyFile("{'descr': '<f4', 'fortran_order': False, "
                             "'shape': (1,), }",
                             std::string(4, '\0'));
  std::string bad = good;
  bad[1] = 'M';
  writeFile(path, bad);
  expectRefused(readNp, path, "not a .npy file", "magic");
  bad = good;
  bad[6] = 4;
  writeFile(path, bad);
  expectRefused(readNp, path, "unsupported .npy version 4.0", "version 4");
  bad = good;
  bad[7] = 1;
  writeFile(path, bad);
  expectRefused(readNp, path, "unsupported .npy version 1.1", "version 1.1");
  bad = good;
  bad[8] = char(0xFF);
  bad[9] = char(0xFF);
  writeFile(path, bad);
  expectRefused(readNp, path, "header length 65535 runs past the end", "len");
  writeFile(path, std::string("\x93NUMPY\x02\x00", 8) + le(0xFFFFFFF0, 4));
  expectRefused(readNp, path, "header length 4294967280 runs past", "v2 len");
  // Versions 2.0 and 3.0 are read.
  for (int major : {2, 3}) {
    writeFile(path, npyFile("{'descr': '<i4', 'fortran_order': False, "
                            "'shape': (2,), }",
                            std::string(8, '\0'), major));
    std::string error;
    EXPECT_TRUE(readNpy(path, error)) << error;
  }
}

TEST(RuntimeIONpyHostile, BadHeaders) {
  TempDir dir;
  std::string path = dir.path("h.npy");
  const std::string four(4, '\0');
  struct Case {
    std::string dict, data, expected;
  } cases[] = {
      {"{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
       std::string(16, '\0'), "Fortran-order arrays are not supported"},
      {"{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", four,
       "big-endian dtype '>f4' is not supported"},
      {"{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",
       std::string(8, '\0'), "unsupported dtype '<c8'"},
      {"{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }", four,
       "unsupported dtype '<u2'"},
      {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }",
       four, "structured dtypes are not supported"},
      {"{'descr': '<f4', 'shape': (1,), }", four,
       "missing key 'fortran_order'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1, }",
       four, "unknown key 'x'"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
       "'shape': (1,), }",
       four, "duplicate key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", four,
       "expected True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1), }", four,
       "shape (1) is not a tuple; a 1-D shape is written (1,)"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", four,
       "negative dimension in shape"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [1], }", four,
       "expected '(' opening the shape tuple"},
      {"{'descr': '<f4', 'fortran_order': False, "
       "'shape': (99999999999999999999,), }",
       four, "does not fit in int64"},
      {"{'descr': '<f4', 'fortran_order': False, "
       "'shape': (4294967296, 4294967296), }",
       four, "is too large"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } junk", four,
       "unexpected text after the header dict"},
      {"{'descr' '<f4', 'fortran_order': False, 'shape': (1,), }", four,
       "expected ':' after the key"},
      {"{'descr': '<f4' 'fortran_order': False, 'shape': (1,), }", four,
       "expected ',' or '}' after the value of 'descr'"},
      {"{'descr': '<f\\x34', 'fortran_order': False, 'shape': (1,), }", four,
       "escape sequences are not supported"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", four,
       "the data is 4 bytes but '<f4' [3] needs 12"},
      {"{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }",
       std::string("\1\7", 2), "bool element 1 is 7, not 0 or 1"},
      {"", four, "expected '{' opening the header dict"},
  };
  for (const Case &c : cases) {
    writeFile(path, npyFile(c.dict, c.data));
    expectRefused(readNp, path, c.expected, c.dict);
  }
  // No closing newline.
  std::string noNewline = npyFile("{'descr': '<f4', 'fortran_order': False, "
                                  "'shape': (), }",
                                  four);
  noNewline.erase(noNewline.size() - 5, 1);
  writeFile(path, noNewline);
  expectRefused(readNp, path, "header does not end with a newline", "newline");
}

TEST(RuntimeIONpyHostile, NumPyMadeFortranAndBigEndianFiles) {
  if (!pythonHas("numpy"))
    GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  TempDir dir;
  std::string script = R"PY(
import sys
import numpy as np
a = np.arange(6, dtype=np.float32).reshape(2, 3)
np.save(sys.argv[1] + '/fortran.npy', np.asfortranarray(a))
np.save(sys.argv[1] + '/big.npy', a.astype('>f4'))
np.save(sys.argv[1] + '/complex.npy', a.astype(np.complex64))
)PY";
  ASSERT_EQ(runPython(dir, script, dir.root()), 0)
      << readFile(dir.path("python.log"));
  expectRefused(readNp, dir.path("fortran.npy"), "Fortran-order", "fortran");
  expectRefused(readNp, dir.path("big.npy"), "big-endian dtype '>f4'", "big");
  expectRefused(readNp, dir.path("complex.npy"), "unsupported dtype '<c8'",
                "complex");
}

std::string idxBytes(unsigned type, const Shape &dims,
                     const std::string &data) {
  std::string bytes = std::string("\0\0", 2) + char(type) + char(dims.size());
  for (int64_t d : dims)
    for (int s = 24; s >= 0; s -= 8)
      bytes += char((d >> s) & 0xFF);
  return bytes + data;
}

std::string gzipped(const std::string &bytes) {
  uLongf cap = compressBound(uLong(bytes.size())) + 64;
  std::string out(cap, '\0');
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper.
  deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
  zs.avail_in = uInt(bytes.size());
  zs.next_out = reinterpret_cast<Bytef *>(out.data());
  zs.avail_out = uInt(cap);
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(RuntimeIOIdxHostile, BadHeadersAndSizes) {
  TempDir dir;
  std::string path = dir.path("x.idx");
  std::string six(6, '\x05');
  struct Case {
    std::string bytes, expected;
  } cases[] = {
      {"\x01" + idxBytes(8, {6}, six).substr(1), "bad magic 0x01 0x00"},
      {idxBytes(0x0D, {6}, six), "IDX element type 0x0D (float32) is not "
                                 "supported; images and labels use 0x08"},
      {idxBytes(0x42, {6}, six), "unknown IDX element type 0x42"},
      {idxBytes(8, {}, six), "declares 0 dimensions"},
      {idxBytes(8, {2, 3}, six.substr(0, 5)),
       "truncated data of dimensions [2, 3]: the file ends after 5 of its 6 "
       "bytes"},
      {idxBytes(8, {2, 3}, six + "x"), "trailing bytes after the data"},
      {idxBytes(8, {2, 4}, six), "truncated data of dimensions [2, 4]"},
      {idxBytes(8, {65536, 65536}, six), "more than the 1 GiB limit"},
      {idxBytes(8, {65536, 65536, 65536, 65536, 65536}, six),
       "more than the 1 GiB limit"},
      {idxBytes(8, {2, 3}, "").substr(0, 9), "truncated dimensions"},
  };
  for (const Case &c : cases) {
    writeFile(path, c.bytes);
    expectRefused(readId, path, c.expected, "plain: " + c.expected);
    writeFile(path + ".gz", gzipped(c.bytes));
    expectRefused(readId, path + ".gz", c.expected, "gzip: " + c.expected);
  }
  writeFile(path + ".gz", idxBytes(8, {6}, six));
  expectRefused(readId, path + ".gz", "not gzip data", "plain data as .gz");
}

TEST(RuntimeIOIdxHostile, CorruptGzip) {
  TempDir dir;
  std::string path = dir.path("x.idx.gz");
  std::string data;
  for (int i = 0; i < 300; ++i)
    data += char(i * 13);
  std::string gz = gzipped(idxBytes(8, {10, 30}, data));
  writeFile(path, gz);
  std::string error;
  ASSERT_TRUE(readIdx(path, error)) << error;
  // Every truncation of the compressed stream, trailer included.
  std::string prefix = dir.path("prefix.gz");
  for (size_t len = 0; len < gz.size(); ++len) {
    writeFile(prefix, gz.substr(0, len));
    ASSERT_FALSE(readIdx(prefix, error)) << len << " bytes";
    ASSERT_EQ(error.rfind(prefix + ":", 0), 0u) << error;
  }
  // A wrong CRC in the trailer.
  std::string badCrc = gz;
  badCrc[badCrc.size() - 8] ^= 0x5A;
  writeFile(path, badCrc);
  expectRefused(readId, path, "corrupt or truncated gzip data", "crc");
}

TEST(RuntimeIOIdxHostile, ZipBombStopsAtDeclaredSize) {
  // 64 MiB of zeros compress to ~64 KiB; the header declares 16 bytes, so the
  // reader must stop after 17 decompressed bytes, not inflate everything.
  TempDir dir;
  std::string path = dir.path("bomb.gz");
  writeFile(path, gzipped(idxBytes(8, {16}, std::string(64 << 20, '\0'))));
  expectRefused(readId, path, "trailing bytes", "bomb");
}

TEST(RuntimeIOIdxHostile, FashionMnistMismatches) {
  TempDir dir;
  auto load = [&](const std::string &split, std::string &error) {
    return loadFashionMnist(dir.root(), split, error).has_value();
  };
  std::string error;
  EXPECT_FALSE(load("validation", error));
  EXPECT_NE(error.find("unknown Fashion-MNIST split 'validation'"),
            std::string::npos)
      << error;
  EXPECT_FALSE(load("test", error));
  EXPECT_NE(error.find("t10k-images-idx3-ubyte.gz: cannot open"),
            std::string::npos)
      << error;

  std::string images = dir.path("t10k-images-idx3-ubyte");
  std::string labels = dir.path("t10k-labels-idx1-ubyte");
  writeFile(images, idxBytes(8, {2, 27, 28}, std::string(2 * 27 * 28, '\0')));
  writeFile(labels, idxBytes(8, {2}, "\1\2"));
  EXPECT_FALSE(load("test", error));
  EXPECT_NE(error.find(images + ": expected images of shape [N, 28, 28], "
                                "found [2, 27, 28]"),
            std::string::npos)
      << error;
  writeFile(images, idxBytes(8, {2, 28, 28}, std::string(2 * 28 * 28, '\0')));
  writeFile(labels, idxBytes(8, {3}, std::string("\1\2\3", 3)));
  EXPECT_FALSE(load("test", error));
  EXPECT_NE(error.find("2 images in " + images + " but 3 labels in " + labels),
            std::string::npos)
      << error;
  writeFile(labels, idxBytes(8, {2}, std::string("\1\x0c", 2)));
  EXPECT_FALSE(load("test", error));
  EXPECT_NE(error.find(labels + ": label 1 is 12"), std::string::npos) << error;
  writeFile(labels, idxBytes(8, {1, 2}, std::string("\1\2", 2)));
  EXPECT_FALSE(load("test", error));
  EXPECT_NE(error.find("expected labels of shape [N], found [1, 2]"),
            std::string::npos)
      << error;
  writeFile(labels, idxBytes(8, {2}, std::string("\1\2", 2)));
  EXPECT_TRUE(load("test", error)) << error;
}

} // namespace
