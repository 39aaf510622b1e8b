// The IDX reader (data/idx.hpp), image sets (data/image_set.hpp) and the dataset loaders
// (data/datasets.hpp), on small fixture files written to a temporary folder.
#include <gtest/gtest.h>

#include "data/datasets.hpp"
#include "data/idx.hpp"
#include "data/image_set.hpp"
#include "fixtures.hpp"

namespace modspec {
namespace {

using test::contains;
using test::error_message;
using test::idx_bytes;
using test::TempDir;
using test::write_file;
using test::write_gzip;

// Three 2x3 images whose pixels are all different (image i, row r, col c holds 10*i + 3*r + c + 1),
// so any mix-up of order shows.
std::vector<uint8_t> three_images() {
  std::vector<uint8_t> px;
  for (int i = 0; i < 3; ++i)
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 3; ++c) px.push_back(uint8_t(10 * i + 3 * r + c + 1));
  return px;
}
const std::vector<uint8_t> kThreeLabels{7, 0, 4};

// Every reader error names the file; this checks both that and the reason.
void expect_read_error(const std::filesystem::path& file, const std::string& reason) {
  const std::string msg = error_message([&] { read_idx(file); });
  EXPECT_PRED2(contains, msg, file.string());
  EXPECT_PRED2(contains, msg, reason);
}

TEST(Idx, ReadsRawFile) {
  TempDir tmp;
  write_file(tmp / "images", idx_bytes({3, 2, 3}, three_images()));
  const IdxArray a = read_idx(tmp / "images");
  EXPECT_EQ(a.dims, (std::vector<int64_t>{3, 2, 3}));
  EXPECT_EQ(a.data, three_images());
}

TEST(Idx, ReadsGzipFile) {
  TempDir tmp;
  write_gzip(tmp / "images.gz", idx_bytes({3, 2, 3}, three_images()));
  const IdxArray a = read_idx(tmp / "images.gz");
  EXPECT_EQ(a.dims, (std::vector<int64_t>{3, 2, 3}));
  EXPECT_EQ(a.data, three_images());
}

// Dimensions above 2^24 need all four bytes of the big-endian header word.
TEST(Idx, ReadsBigEndianDimensions) {
  TempDir tmp;
  write_file(tmp / "one", idx_bytes({1, 0x00010203}, std::vector<uint8_t>(0x00010203, 5)));
  const IdxArray a = read_idx(tmp / "one");
  EXPECT_EQ(a.dims, (std::vector<int64_t>{1, 66051}));
  EXPECT_EQ(a.data.size(), 66051u);
}

TEST(Idx, MissingFileIsError) {
  TempDir tmp;
  expect_read_error(tmp / "absent", "No such file");
}

TEST(Idx, TruncatedDataIsError) {
  TempDir tmp;
  auto bytes = idx_bytes({3, 2, 3}, three_images());
  bytes.resize(bytes.size() - 5);
  write_file(tmp / "cut", bytes);
  expect_read_error(tmp / "cut", "truncated");
}

TEST(Idx, TruncatedHeaderIsError) {
  TempDir tmp;
  // Promises 3 dimensions (12 header bytes after the magic) but holds only one.
  write_file(tmp / "cut", {0, 0, 0x08, 3, 0, 0, 0, 3});
  expect_read_error(tmp / "cut", "truncated");
}

TEST(Idx, WrongMagicIsError) {
  TempDir tmp;
  auto bytes = idx_bytes({3, 2, 3}, three_images());
  bytes[0] = 0x12;  // e.g. a PNG or text file: the first two bytes of an IDX file are zero
  write_file(tmp / "bad", bytes);
  expect_read_error(tmp / "bad", "magic");
}

TEST(Idx, UnsupportedElementTypeIsError) {
  TempDir tmp;
  auto bytes = idx_bytes({3, 2, 3}, three_images());
  bytes[2] = 0x0D;  // float
  write_file(tmp / "float", bytes);
  expect_read_error(tmp / "float", "0xd");
}

TEST(Idx, TrailingBytesAreError) {
  TempDir tmp;
  auto bytes = idx_bytes({3, 2, 3}, three_images());
  bytes.push_back(0);
  write_file(tmp / "long", bytes);
  expect_read_error(tmp / "long", "mismatch");
}

TEST(Idx, BadGzipIsError) {
  TempDir tmp;
  // The gzip magic 1f 8b, then garbage (a gzip header's third byte must be 8, deflate).
  std::vector<uint8_t> bytes{0x1f, 0x8b};
  for (int i = 0; i < 64; ++i) bytes.push_back(uint8_t(0xA5 ^ (i * 37)));
  write_file(tmp / "bad.gz", bytes);
  expect_read_error(tmp / "bad.gz", "gzip");
}

TEST(Idx, TruncatedGzipIsError) {
  TempDir tmp;
  // Enough pseudo-random pixels that half the compressed file ends inside the deflate data.
  std::vector<uint8_t> px(100 * 28 * 28);
  uint32_t state = 12345;
  for (auto& p : px) p = uint8_t((state = state * 1664525u + 1013904223u) >> 24);
  write_gzip(tmp / "whole.gz", idx_bytes({100, 28, 28}, px));
  auto bytes = test::read_file(tmp / "whole.gz");
  ASSERT_GT(bytes.size(), 1000u);
  bytes.resize(bytes.size() / 2);
  write_file(tmp / "half.gz", bytes);
  expect_read_error(tmp / "half.gz", "gzip");
}

// A gzip file that lost only its 8-byte trailer (CRC and length) is cut short too.
TEST(Idx, GzipWithoutTrailerIsError) {
  TempDir tmp;
  write_gzip(tmp / "whole.gz", idx_bytes({3, 2, 3}, three_images()));
  auto bytes = test::read_file(tmp / "whole.gz");
  bytes.resize(bytes.size() - 8);
  write_file(tmp / "short.gz", bytes);
  expect_read_error(tmp / "short.gz", "gzip");
}

// read_idx_dims reads the header alone and checks the file's size against it (the gzip trailer's
// for a compressed file); a file that fails a check is read whole, with read_idx's errors.
TEST(Idx, DimsAloneAgreeWithTheWholeRead) {
  TempDir tmp;
  write_file(tmp / "images", idx_bytes({3, 2, 3}, three_images()));
  write_gzip(tmp / "images.gz", idx_bytes({3, 2, 3}, three_images()));
  EXPECT_EQ(read_idx_dims(tmp / "images"), (std::vector<int64_t>{3, 2, 3}));
  EXPECT_EQ(read_idx_dims(tmp / "images.gz"), (std::vector<int64_t>{3, 2, 3}));
}

TEST(Idx, DimsAloneOfAFileCutShortAreAnError) {
  TempDir tmp;
  auto raw = idx_bytes({3, 2, 3}, three_images());
  raw.resize(raw.size() - 5);
  write_file(tmp / "cut", raw);
  EXPECT_PRED2(contains, error_message([&] { read_idx_dims(tmp / "cut"); }), "truncated");
  // A whole gzip stream of an IDX file cut short: its trailer records the short size.
  write_gzip(tmp / "cut.gz", raw);
  EXPECT_PRED2(contains, error_message([&] { read_idx_dims(tmp / "cut.gz"); }), "truncated");
  // A gzip stream cut short itself.
  write_gzip(tmp / "whole.gz", idx_bytes({3, 2, 3}, three_images()));
  auto packed = test::read_file(tmp / "whole.gz");
  packed.resize(packed.size() - 8);
  write_file(tmp / "short.gz", packed);
  EXPECT_PRED2(contains, error_message([&] { read_idx_dims(tmp / "short.gz"); }), "gzip");
  EXPECT_PRED2(contains, error_message([&] { read_idx_dims(tmp / "absent"); }), "No such file");
}

TEST(ImageSet, LabelsOnlyReadsAllButThePixels) {
  TempDir tmp;
  write_gzip(tmp / "images.gz", idx_bytes({3, 2, 3}, three_images()));
  write_gzip(tmp / "labels.gz", idx_bytes({3}, kThreeLabels));
  const ImageSet whole = read_image_set(tmp / "images.gz", tmp / "labels.gz", "x");
  const ImageSet labels = read_image_set(tmp / "images.gz", tmp / "labels.gz", "x", ImageRead::labels_only);
  EXPECT_EQ(labels.count, whole.count);
  EXPECT_EQ(labels.rows, whole.rows);
  EXPECT_EQ(labels.cols, whole.cols);
  EXPECT_EQ(labels.labels, whole.labels);
  EXPECT_EQ(labels.n_classes, whole.n_classes);
  EXPECT_TRUE(labels.pixels.empty());
}

TEST(ImageSet, ReadsImagesAndLabels) {
  TempDir tmp;
  write_file(tmp / "images", idx_bytes({3, 2, 3}, three_images()));
  write_gzip(tmp / "labels.gz", idx_bytes({3}, kThreeLabels));
  const ImageSet set = read_image_set(tmp / "images", tmp / "labels.gz", "fixture/train");
  EXPECT_EQ(set.name, "fixture/train");
  EXPECT_EQ(set.count, 3);
  EXPECT_EQ(set.rows, 2);
  EXPECT_EQ(set.cols, 3);
  EXPECT_EQ(set.pixels_per_image(), 6);
  EXPECT_EQ(set.pixels, three_images());
  EXPECT_EQ(set.labels, (std::vector<int64_t>{7, 0, 4}));
  EXPECT_EQ(set.n_classes, 8);  // 1 + largest label
}

TEST(ImageSet, CountDisagreementNamesBothFiles) {
  TempDir tmp;
  write_file(tmp / "images", idx_bytes({3, 2, 3}, three_images()));
  write_file(tmp / "labels", idx_bytes({2}, {1, 2}));
  const std::string msg = error_message([&] { read_image_set(tmp / "images", tmp / "labels", "x"); });
  EXPECT_PRED2(contains, msg, (tmp / "images").string());
  EXPECT_PRED2(contains, msg, (tmp / "labels").string());
}

TEST(ImageSet, WrongDimensionsAreError) {
  TempDir tmp;
  write_file(tmp / "flat", idx_bytes({18}, three_images()));
  write_file(tmp / "labels", idx_bytes({3}, kThreeLabels));
  const std::string msg = error_message([&] { read_image_set(tmp / "flat", tmp / "labels", "x"); });
  EXPECT_PRED2(contains, msg, (tmp / "flat").string());
  EXPECT_PRED2(contains, msg, "3 dimensions");
}

// EMNIST fixture: 2 images of 2 rows x 3 cols as stored in NIST's files, pixel value
// 100*i + 10*row + col, so the transposed position of every pixel can be read off its value.
void write_emnist(const std::filesystem::path& dir, const std::string& split, const std::string& part,
                  const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> px;
  for (int i = 0; i < 2; ++i)
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 3; ++c) px.push_back(uint8_t(100 * i + 10 * r + c));
  const std::string stem = "emnist-" + split + "-" + part;
  write_gzip(dir / (stem + "-images-idx3-ubyte.gz"), idx_bytes({2, 2, 3}, px));
  write_gzip(dir / (stem + "-labels-idx1-ubyte.gz"), idx_bytes({uint32_t(labels.size())}, labels));
}

TEST(Datasets, EmnistLettersAreTransposedAndRelabelled) {
  TempDir tmp;
  write_emnist(tmp.path(), "letters", "train", {1, 26});
  write_emnist(tmp.path(), "letters", "test", {5, 3});
  const DataSources src{tmp / "none", tmp / "none", tmp.path()};

  const ImageSet train = load_dataset("emnist-letters", Split::train, src);
  EXPECT_EQ(train.count, 2);
  EXPECT_EQ(train.rows, 3);  // the file's 2x3 images become 3x2
  EXPECT_EQ(train.cols, 2);
  // Loaded (row y, col x) is the file's (row x, col y): value 100*i + 10*x + y.
  for (int i = 0; i < 2; ++i)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 2; ++x)
        EXPECT_EQ(train.pixels[i * 6 + y * 2 + x], 100 * i + 10 * x + y) << "image " << i << " row " << y << " col " << x;
  // The file's (row 0, col 1) = 1 lands at (row 1, col 0).
  EXPECT_EQ(train.pixels[1 * 2 + 0], 1);
  EXPECT_EQ(train.labels, (std::vector<int64_t>{0, 25}));
  EXPECT_EQ(train.n_classes, 26);

  const ImageSet test = load_dataset("emnist-letters", Split::test, src);
  EXPECT_EQ(test.labels, (std::vector<int64_t>{4, 2}));
  EXPECT_EQ(test.n_classes, 26);

  // Without pixels (`modspec data info`): the same shape, labels and classes.
  const ImageSet labels_only = load_dataset("emnist-letters", Split::train, src, ImageRead::labels_only);
  EXPECT_EQ(labels_only.rows, 3);
  EXPECT_EQ(labels_only.cols, 2);
  EXPECT_EQ(labels_only.labels, train.labels);
  EXPECT_TRUE(labels_only.pixels.empty());
}

TEST(Datasets, EmnistLetterLabelOutOfRangeIsError) {
  TempDir tmp;
  write_emnist(tmp.path(), "letters", "train", {0, 3});  // 0 is not a letter (labels are 1..26)
  const DataSources src{tmp / "none", tmp / "none", tmp.path()};
  const std::string msg = error_message([&] { load_dataset("emnist-letters", Split::train, src); });
  EXPECT_PRED2(contains, msg, "emnist-letters-train-labels-idx1-ubyte.gz");
}

TEST(Datasets, EmnistBalancedKeepsLabels) {
  TempDir tmp;
  write_emnist(tmp.path(), "balanced", "test", {0, 46});
  const DataSources src{tmp / "none", tmp / "none", tmp.path()};
  const ImageSet set = load_dataset("emnist-balanced", Split::test, src);
  EXPECT_EQ(set.labels, (std::vector<int64_t>{0, 46}));
  EXPECT_EQ(set.n_classes, 47);
  EXPECT_EQ(set.rows, 3);
}

TEST(Datasets, EmnistWithoutFolderIsError) {
  const std::string msg = error_message([] { load_dataset("emnist-letters", Split::train, DataSources{}); });
  EXPECT_PRED2(contains, msg, "data.emnist_dir");
}

TEST(Datasets, MissingMnistNamesSetupScript) {
  TempDir tmp;
  const DataSources src{tmp.path(), tmp.path(), {}};
  const std::string msg = error_message([&] { load_dataset("mnist", Split::train, src); });
  EXPECT_PRED2(contains, msg, "scripts/setup.sh");
  EXPECT_PRED2(contains, msg, (tmp / "mnist" / "train-images-idx3-ubyte").string());
}

TEST(Datasets, ReadsMnistLayout) {
  TempDir tmp;
  std::filesystem::create_directories(tmp / "mnist");
  write_file(tmp / "mnist" / "t10k-images-idx3-ubyte", idx_bytes({3, 2, 3}, three_images()));
  write_file(tmp / "mnist" / "t10k-labels-idx1-ubyte", idx_bytes({3}, kThreeLabels));
  const ImageSet set = load_dataset("mnist", Split::test, DataSources{tmp.path(), {}, {}});
  EXPECT_EQ(set.name, "mnist/test");
  EXPECT_EQ(set.pixels, three_images());  // MNIST is not transposed
  EXPECT_EQ(set.rows, 2);
}

TEST(Datasets, UnknownNameIsError) {
  const std::string msg = error_message([] { load_dataset("cifar", Split::train, DataSources{}); });
  EXPECT_PRED2(contains, msg, "cifar");
}

}  // namespace
}  // namespace modspec
