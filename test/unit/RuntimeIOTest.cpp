//===- RuntimeIOTest.cpp - Weights and data I/O: valid files --------------===//
//
// Round trips of every dtype through safetensors and .npy, the writers'
// exact layout, atomic replacement, interoperability with files made by
// PyTorch/NumPy (and ours read back by them), the JSON parser, IDX files and
// the real Fashion-MNIST test set. Hostile files are in
// RuntimeIOHostileTest.cpp.
//
//===----------------------------------------------------------------------===//

#include "RuntimeIOTestUtil.h"

#include "runtime/io/Idx.h"
#include "runtime/io/Json.h"
#include "runtime/io/Npy.h"
#include "runtime/io/Safetensors.h"

#include <zlib.h>

#include <cmath>

using namespace nnc::rt;
using namespace nnc::rt::iotest;

namespace {

/// One tensor of each dtype (odd sizes, so offsets are not all multiples of
/// 8), plus a scalar and an empty tensor.
std::vector<std::pair<std::string, Tensor>> allDTypeTensors() {
  std::vector<std::pair<std::string, Tensor>> ts;
  for (DType t : kAllDTypes)
    ts.emplace_back("layer." + stName(t), makePattern(t, {3, 1, 5}));
  ts.emplace_back("scalar", makePattern(DType::F32, {}));
  ts.emplace_back("empty", makePattern(DType::F16, {0, 4}));
  return ts;
}

TEST(RuntimeIOSafetensors, RoundTripsEveryDType) {
  TempDir dir;
  std::string path = dir.path("all.safetensors"), error;
  std::map<std::string, std::string> meta = {{"format", "pt"},
                                             {"note", "q\"uote\n"}};
  ASSERT_TRUE(writeSafetensors(path, allDTypeTensors(), error, meta)) << error;
  std::map<std::string, std::string> metaBack;
  auto read = readSafetensors(path, error, &metaBack);
  ASSERT_TRUE(read) << error;
  EXPECT_EQ(metaBack, meta);
  ASSERT_EQ(read->size(), std::size(kAllDTypes) + 2);
  for (DType t : kAllDTypes)
    expectPattern(read->at("layer." + stName(t)), t, {3, 1, 5}, stName(t));
  expectPattern(read->at("scalar"), DType::F32, {}, "scalar");
  expectPattern(read->at("empty"), DType::F16, {0, 4}, "empty");
}

TEST(RuntimeIOSafetensors, WriterMatchesReferenceLayout) {
  // The reference writer's exact bytes: compact JSON, padded with spaces to
  // a multiple of 8, then the data.
  TempDir dir;
  std::string path = dir.path("one.safetensors"), error;
  Tensor t = makePattern(DType::F32, {1, 2, 3});
  ASSERT_TRUE(writeSafetensors(path, {{"attn.0", t}}, error)) << error;
  std::string header = R"({"attn.0":{"dtype":"F32","shape":[1,2,3],)"
                       R"("data_offsets":[0,24]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string data(static_cast<const char *>(t.raw()), t.bytes());
  EXPECT_EQ(readFile(path), le(header.size(), 8) + header + data);

  ASSERT_TRUE(writeSafetensors(path, {}, error, {{"framework", "pt"}}));
  std::string metaOnly = R"({"__metadata__":{"framework":"pt"}})";
  metaOnly.append((8 - metaOnly.size() % 8) % 8, ' ');
  EXPECT_EQ(readFile(path), le(metaOnly.size(), 8) + metaOnly);
  auto empty = readSafetensors(path, error);
  ASSERT_TRUE(empty) << error;
  EXPECT_TRUE(empty->empty());
}

TEST(RuntimeIOSafetensors, WriterAlignsEveryTensor) {
  // Tensors are laid out by descending alignment then name, so each one
  // starts at a multiple of its element size in the file.
  TempDir dir;
  std::string path = dir.path("aligned.safetensors"), error;
  ASSERT_TRUE(writeSafetensors(path, allDTypeTensors(), error)) << error;
  std::string bytes = readFile(path);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = (n << 8) | static_cast<unsigned char>(bytes[size_t(i)]);
  ASSERT_EQ(n % 8, 0u);
  std::string header = bytes.substr(8, n);
  EXPECT_EQ(header.find_first_not_of(' ', header.find_last_of('}') + 1),
            std::string::npos)
      << "padding is spaces";
  auto root = json::parse(header, error);
  ASSERT_TRUE(root) << error;
  std::vector<std::string> names;
  int64_t prevSize = 8;
  for (const auto &[name, info] : root->members) {
    names.push_back(name);
    int64_t size = 0;
    for (DType t : kAllDTypes)
      if (info.find("dtype")->text == stName(t))
        size = int64_t(dtypeSize(t));
    int64_t begin = *info.find("data_offsets")->items[0].asInt64();
    EXPECT_EQ((8 + n + uint64_t(begin)) % uint64_t(size), 0u) << name;
    EXPECT_LE(size, prevSize) << name << " comes after a smaller dtype";
    prevSize = size;
  }
  EXPECT_EQ(names.front(), "layer.I64");
  EXPECT_EQ(names.back(), "layer.BOOL");
}

TEST(RuntimeIOSafetensors, NamesAreEscapedAndRoundTrip) {
  TempDir dir;
  std::string path = dir.path("names.safetensors"), error;
  std::vector<std::string> names = {"a\"b\\c", "tab\there", "nul\x01",
                                    "\xc3\xbcnicode", ""};
  std::vector<std::pair<std::string, Tensor>> ts;
  for (const std::string &n : names)
    ts.emplace_back(n, makePattern(DType::I32, {2}));
  ASSERT_TRUE(writeSafetensors(path, ts, error)) << error;
  auto read = readSafetensors(path, error);
  ASSERT_TRUE(read) << error;
  for (const std::string &n : names)
    EXPECT_EQ(read->count(n), 1u) << n;
}

TEST(RuntimeIOSafetensors, WriterRejectsBadInput) {
  TempDir dir;
  std::string path = dir.path("bad.safetensors"), error;
  Tensor t = makePattern(DType::F32, {2});
  struct Case {
    std::vector<std::pair<std::string, Tensor>> tensors;
    std::string expected;
  } cases[] = {
      {{{"w", t}, {"w", t}}, "tensor \"w\" appears twice"},
      {{{"__metadata__", t}}, "reserved"},
      {{{"bad\xff", t}}, "not valid UTF-8"},
      {{{"undef", Tensor()}}, "tensor \"undef\": the tensor is undefined"},
  };
  for (const Case &c : cases) {
    EXPECT_FALSE(writeSafetensors(path, c.tensors, error));
    EXPECT_NE(error.find(path), std::string::npos) << error;
    EXPECT_NE(error.find(c.expected), std::string::npos) << error;
    EXPECT_FALSE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(writeSafetensors(path, {}, error, {{"k", "\xc0\x80"}}));
  EXPECT_NE(error.find("__metadata__ field \"k\""), std::string::npos);
}

TEST(RuntimeIOSafetensors, WritesAreAtomic) {
  TempDir dir;
  std::string path = dir.path("w.safetensors"), error;
  ASSERT_TRUE(
      writeSafetensors(path, {{"a", makePattern(DType::F32, {4})}}, error));
  std::string before = readFile(path);
  // A failed write leaves the old file as it was...
  EXPECT_FALSE(writeSafetensors(
      path, {{"a", makePattern(DType::F32, {1})}, {"a", Tensor()}}, error));
  EXPECT_EQ(readFile(path), before);
  // ...a successful one replaces it, and no temporary file is left behind.
  ASSERT_TRUE(
      writeSafetensors(path, {{"b", makePattern(DType::I8, {3})}}, error));
  auto read = readSafetensors(path, error);
  ASSERT_TRUE(read) << error;
  EXPECT_EQ(read->count("b"), 1u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.root()),
                          std::filesystem::directory_iterator()),
            1);
  // A directory that does not exist is an error naming the file.
  std::string missing = dir.path("no/such/dir/x.safetensors");
  EXPECT_FALSE(writeSafetensors(missing, {}, error));
  EXPECT_NE(error.find(missing), std::string::npos) << error;
}

TEST(RuntimeIONpy, RoundTripsEveryDType) {
  TempDir dir;
  std::string error;
  for (DType t : kAllDTypes) {
    if (t == DType::BF16)
      continue;
    for (const Shape &shape :
         {Shape{3, 1, 5}, Shape{7}, Shape{}, Shape{0, 2}}) {
      std::string path = dir.path(stName(t) + ".npy");
      ASSERT_TRUE(writeNpy(path, makePattern(t, shape), error)) << error;
      std::string bytes = readFile(path);
      EXPECT_EQ(bytes[6], 1) << "version 1.0";
      size_t headerEnd = 10 + (static_cast<unsigned char>(bytes[8]) |
                               static_cast<unsigned char>(bytes[9]) << 8);
      EXPECT_EQ(headerEnd % 64, 0u) << "data 64-byte aligned";
      auto back = readNpy(path, error);
      ASSERT_TRUE(back) << error;
      expectPattern(*back, t, shape, stName(t) + shapeString(shape));
    }
  }
}

TEST(RuntimeIONpy, WriterHandlesHugeRankAndRejectsBF16) {
  TempDir dir;
  std::string path = dir.path("x.npy"), error;
  // 25000 dimensions make a header over 1.0's 64 KiB: version 2.0 is used.
  Tensor deep = makePattern(DType::I32, Shape(25000, 1));
  ASSERT_TRUE(writeNpy(path, deep, error)) << error;
  EXPECT_EQ(readFile(path)[6], 2);
  auto back = readNpy(path, error);
  ASSERT_TRUE(back) << error;
  expectPattern(*back, DType::I32, Shape(25000, 1), "rank 25000");

  EXPECT_FALSE(writeNpy(path, makePattern(DType::BF16, {2}), error));
  EXPECT_NE(error.find("bf16 has no NumPy dtype"), std::string::npos) << error;
  EXPECT_FALSE(writeNpy(path, Tensor(), error));
  EXPECT_NE(error.find(path), std::string::npos) << error;
}

TEST(RuntimeIOPython, ReadsFilesMadeByPyTorchAndNumPy) {
  if (!pythonHas("numpy, torch"))
    GTEST_SKIP() << "/usr/bin/python3 with numpy and torch is not available";
  TempDir dir;
  // A spec-following safetensors writer in Python (the safetensors package is
  // not in Debian): header keys in name order but data laid out in reverse
  // order, which readers must accept. NumPy's own np.save writes the .npy.
  std::string script = std::string(pythonPattern()) + R"PY(
import json, struct, sys
import numpy as np
out = sys.argv[1]
codes = ['F32', 'F64', 'F16', 'BF16', 'I64', 'I32', 'I8', 'U8', 'BOOL']
tensors = {'layer.' + c: pattern(c, (3, 1, 5)) for c in codes}
tensors['scalar'] = pattern('F32', ())
tensors['empty'] = pattern('F16', (0, 4))
def raw(t):
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.contiguous().numpy().tobytes()
header, blobs, offset = {'__metadata__': {'format': 'pt'}}, [], 0
for name in sorted(tensors, reverse=True):
    b = raw(tensors[name])
    header[name] = {'dtype': name.split('.')[-1] if '.' in name else
                    ('F32' if name == 'scalar' else 'F16'),
                    'shape': list(tensors[name].shape),
                    'data_offsets': [offset, offset + len(b)]}
    blobs.append(b)
    offset += len(b)
text = json.dumps({k: header[k] for k in sorted(header)}).encode()
text += b' ' * ((8 - len(text) % 8) % 8)
with open(out + '/torch.safetensors', 'wb') as f:
    f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))
for c in codes:
    if c != 'BF16':
        np.save(out + '/' + c + '.npy', pattern(c, (3, 1, 5)).numpy())
np.save(out + '/scalar.npy', np.float32(-2.0))
)PY";
  ASSERT_EQ(runPython(dir, script, dir.root()), 0)
      << readFile(dir.path("python.log"));

  std::string error;
  std::map<std::string, std::string> meta;
  auto st = readSafetensors(dir.path("torch.safetensors"), error, &meta);
  ASSERT_TRUE(st) << error;
  EXPECT_EQ(meta["format"], "pt");
  for (DType t : kAllDTypes)
    expectPattern(st->at("layer." + stName(t)), t, {3, 1, 5}, stName(t));
  expectPattern(st->at("scalar"), DType::F32, {}, "scalar");
  expectPattern(st->at("empty"), DType::F16, {0, 4}, "empty");

  for (DType t : kAllDTypes) {
    if (t == DType::BF16)
      continue;
    auto npy = readNpy(dir.path(stName(t) + ".npy"), error);
    ASSERT_TRUE(npy) << error;
    expectPattern(*npy, t, {3, 1, 5}, stName(t) + ".npy");
  }
  auto scalar = readNpy(dir.path("scalar.npy"), error);
  ASSERT_TRUE(scalar) << error;
  expectPattern(*scalar, DType::F32, {}, "scalar.npy");
}

TEST(RuntimeIOPython, PyTorchAndNumPyReadOurFiles) {
  if (!pythonHas("numpy, torch"))
    GTEST_SKIP() << "/usr/bin/python3 with numpy and torch is not available";
  TempDir dir;
  std::string error;
  ASSERT_TRUE(writeSafetensors(dir.path("nnc.safetensors"), allDTypeTensors(),
                               error, {{"format", "pt"}}))
      << error;
  for (DType t : kAllDTypes)
    if (t != DType::BF16)
      ASSERT_TRUE(writeNpy(dir.path(stName(t) + ".npy"),
                           makePattern(t, {3, 1, 5}), error))
          << error;
  std::string script = std::string(pythonPattern()) + R"PY(
import json, struct, sys
import numpy as np
out = sys.argv[1]
np_types = {'F32': '<f4', 'F64': '<f8', 'F16': '<f2', 'BF16': '<i2',
            'I64': '<i8', 'I32': '<i4', 'I8': '|i1', 'U8': '|u1', 'BOOL': '|b1'}
with open(out + '/nnc.safetensors', 'rb') as f:
    data = f.read()
n = struct.unpack('<Q', data[:8])[0]
header = json.loads(data[8:8 + n])
assert header.pop('__metadata__') == {'format': 'pt'}
body = data[8 + n:]
assert max(h['data_offsets'][1] for h in header.values()) == len(body)
for name, h in header.items():
    b, e = h['data_offsets']
    a = np.frombuffer(body[b:e], dtype=np_types[h['dtype']])
    t = torch.from_numpy(a.copy()).reshape(h['shape'])
    if h['dtype'] == 'BF16':
        t = t.view(torch.bfloat16)
    code = name.split('.')[-1] if '.' in name else h['dtype']
    assert torch.equal(t, pattern(code, tuple(h['shape']))), name
for code in np_types:
    if code != 'BF16':
        a = np.load(out + '/' + code + '.npy')
        assert a.flags.c_contiguous and a.shape == (3, 1, 5), code
        assert torch.equal(torch.from_numpy(a), pattern(code, (3, 1, 5))), code
print('ok')
)PY";
  EXPECT_EQ(runPython(dir, script, dir.root()), 0)
      << readFile(dir.path("python.log"));
}

TEST(RuntimeIOJson, ParsesEveryKindStrictly) {
  std::string error;
  auto v = json::parse(
      R"( {"a": [1, -0, 2.5e3, true, false, null], "s": "x\u00e9\ud83d\ude00\/\n"} )",
      error);
  ASSERT_TRUE(v) << error;
  const json::Value *a = v->find("a");
  ASSERT_TRUE(a && a->items.size() == 6);
  EXPECT_EQ(a->items[0].asInt64(), 1);
  EXPECT_EQ(a->items[1].asInt64(), 0);
  EXPECT_EQ(a->items[2].asInt64(), std::nullopt); // not an integer literal
  EXPECT_EQ(a->items[2].text, "2.5e3");
  EXPECT_TRUE(a->items[3].boolean);
  EXPECT_EQ(a->items[5].kind, json::Value::Kind::Null);
  EXPECT_EQ(v->find("s")->text, "x\xc3\xa9\xf0\x9f\x98\x80/\n");
  EXPECT_EQ(v->find("missing"), nullptr);

  auto ints = json::parse("[9223372036854775807, -9223372036854775808, "
                          "9223372036854775808]",
                          error);
  ASSERT_TRUE(ints) << error;
  EXPECT_EQ(ints->items[0].asInt64(), INT64_MAX);
  EXPECT_EQ(ints->items[1].asInt64(), INT64_MIN);
  EXPECT_EQ(ints->items[2].asInt64(), std::nullopt);

  // Depth and value-count bounds.
  EXPECT_TRUE(json::parse(std::string(64, '[') + std::string(64, ']'), error));
  EXPECT_FALSE(json::parse(std::string(65, '[') + std::string(65, ']'), error));
  EXPECT_NE(error.find("nesting deeper than 64"), std::string::npos) << error;
  EXPECT_FALSE(json::parse("[1,2,3,4]", error, 64, 4));
  EXPECT_NE(error.find("more than 4 values"), std::string::npos) << error;
}

TEST(RuntimeIOJson, QuoteRoundTripsAndUtf8IsChecked) {
  std::string all;
  for (int c = 1; c < 128; ++c)
    all += char(c);
  all += "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  std::string error;
  auto v = json::parse(json::quote(all), error);
  ASSERT_TRUE(v) << error;
  EXPECT_EQ(v->text, all);
  EXPECT_EQ(json::quote("a\"\\\x01"), "\"a\\\"\\\\\\u0001\"");

  EXPECT_TRUE(json::isValidUtf8(all));
  for (const char *bad : {"\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                          "\xe2\x82", "\x80", "\xff"})
    EXPECT_FALSE(json::isValidUtf8(bad)) << bad;
}

/// Writes an IDX file of unsigned bytes, gzip-compressed if `gz`.
void writeIdx(const std::string &path, const Shape &dims,
              const std::string &data, bool gz) {
  std::string bytes = std::string("\0\0\x08", 3) + char(dims.size());
  for (int64_t d : dims)
    for (int s = 24; s >= 0; s -= 8)
      bytes += char((d >> s) & 0xFF);
  bytes += data;
  if (!gz)
    return writeFile(path, bytes);
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), unsigned(bytes.size())),
            int(bytes.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

TEST(RuntimeIOIdx, ReadsPlainAndGzip) {
  TempDir dir;
  std::string data;
  for (int i = 0; i < 2 * 3 * 4; ++i)
    data += char(i * 11);
  std::string error;
  for (bool gz : {false, true}) {
    std::string path = dir.path(gz ? "x.idx.gz" : "x.idx");
    writeIdx(path, {2, 3, 4}, data, gz);
    auto t = readIdx(path, error);
    ASSERT_TRUE(t) << error;
    EXPECT_EQ(t->dtype(), DType::U8);
    EXPECT_EQ(t->shape(), (Shape{2, 3, 4}));
    EXPECT_EQ(std::string(static_cast<const char *>(t->raw()), t->bytes()),
              data);
  }
}

TEST(RuntimeIOIdx, LoadsSyntheticFashionMnistSplit) {
  TempDir dir;
  std::string pixels, labels;
  for (int i = 0; i < 3 * 28 * 28; ++i)
    pixels += char((i * 7) % 256);
  for (int i = 0; i < 3; ++i)
    labels += char(9 - i);
  // Test split gzip-compressed, train split plain: both names are found.
  writeIdx(dir.path("t10k-images-idx3-ubyte.gz"), {3, 28, 28}, pixels, true);
  writeIdx(dir.path("t10k-labels-idx1-ubyte.gz"), {3}, labels, true);
  writeIdx(dir.path("train-images-idx3-ubyte"), {3, 28, 28}, pixels, false);
  writeIdx(dir.path("train-labels-idx1-ubyte"), {3}, labels, false);
  std::string error;
  for (const char *split : {"test", "train"}) {
    auto fm = loadFashionMnist(dir.root(), split, error);
    ASSERT_TRUE(fm) << error;
    EXPECT_EQ(fm->images.dtype(), DType::F32);
    EXPECT_EQ(fm->images.shape(), (Shape{3, 1, 28, 28}));
    EXPECT_EQ(fm->labels.dtype(), DType::I64);
    EXPECT_EQ(fm->labels.shape(), (Shape{3}));
    for (int64_t i = 0; i < 3 * 28 * 28; ++i)
      ASSERT_EQ(fm->images.data<float>()[i],
                float(static_cast<unsigned char>(pixels[size_t(i)])) / 255.0f);
    for (int64_t i = 0; i < 3; ++i)
      EXPECT_EQ(fm->labels.data<int64_t>()[i], 9 - i);
  }
}

TEST(RuntimeIOIdx, LoadsRealFashionMnistTestSet) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(dir + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << dir << " is not installed (Debian dataset-fashion-mnist)";
  std::string error;
  auto fm = loadFashionMnist(dir, "test", error);
  ASSERT_TRUE(fm) << error;
  ASSERT_EQ(fm->images.shape(), (Shape{10000, 1, 28, 28}));
  ASSERT_EQ(fm->labels.shape(), (Shape{10000}));
  std::vector<int64_t> counts(10, 0);
  for (int64_t i = 0; i < 10000; ++i) {
    int64_t l = fm->labels.data<int64_t>()[i];
    ASSERT_TRUE(l >= 0 && l <= 9) << "label " << i << " is " << l;
    ++counts[size_t(l)];
  }
  for (int64_t c : counts)
    EXPECT_GT(c, 0) << "every class appears";
  const float *px = fm->images.data<float>();
  int64_t sum = 0;
  for (int64_t i = 0, n = fm->images.numel(); i < n; ++i) {
    ASSERT_TRUE(px[i] >= 0.0f && px[i] <= 1.0f);
    sum += std::lround(px[i] * 255.0f);
  }

  // The training split loads too (60000 images, same checks on labels).
  auto train = loadFashionMnist(dir, "train", error);
  ASSERT_TRUE(train) << error;
  EXPECT_EQ(train->images.shape(), (Shape{60000, 1, 28, 28}));
  EXPECT_EQ(train->labels.shape(), (Shape{60000}));

  if (!pythonHas("gzip, json"))
    return;
  // An independent decoder (Python's gzip module) for the label histogram
  // and the pixel sum.
  TempDir tmp;
  std::string script = R"PY(
import gzip, json, sys
d = sys.argv[1]
img = gzip.open(d + '/t10k-images-idx3-ubyte.gz').read()[16:]
lab = gzip.open(d + '/t10k-labels-idx1-ubyte.gz').read()[8:]
print(json.dumps({'sum': sum(img), 'counts': [lab.count(c) for c in range(10)]}))
)PY";
  ASSERT_EQ(runPython(tmp, script, dir), 0) << readFile(tmp.path("python.log"));
  auto expected = json::parse(readFile(tmp.path("python.log")), error);
  ASSERT_TRUE(expected) << error;
  EXPECT_EQ(sum, expected->find("sum")->asInt64());
  for (size_t c = 0; c < 10; ++c)
    EXPECT_EQ(counts[c], expected->find("counts")->items[c].asInt64())
        << "class " << c;
}

} // namespace
