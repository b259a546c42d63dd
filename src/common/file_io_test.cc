#include "common/file_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace quiver {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + "-" + std::to_string(getpid())))
      .string();
}

TEST(ReadFileContents, ReadsWholeFilesOfEverySize) {
  const std::string path = TempPath("quiver-file-io");
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{4097}, size_t{1} << 20}) {
    std::string data(size, '\0');
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>(i * 131 + 7);
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(data.data(), static_cast<std::streamsize>(data.size()));
    }
    auto got = ReadFileContents(path);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->size(), size);
    EXPECT_TRUE(*got == data) << "size " << size;
  }
  std::filesystem::remove(path);
  EXPECT_EQ(ReadFileContents(path).status().code(), StatusCode::kNotFound);
}

TEST(MapFile, MapsWholeFilesAndMovesOwnership) {
  const std::string path = TempPath("quiver-map-file");
  for (size_t size : {size_t{0}, size_t{1}, size_t{4097}, size_t{3} << 20}) {
    std::string data(size, '\0');
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>(i * 31 + 3);
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(data.data(), static_cast<std::streamsize>(data.size()));
    }
    auto mapped = MapFile(path);
    ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
    EXPECT_TRUE(mapped->view() == data) << "size " << size;
    FileBytes moved = std::move(*mapped);
    EXPECT_EQ(mapped->size(), 0u);
    EXPECT_TRUE(moved.view() == data);
    FileBytes assigned(std::string("short"));  // an owned string, replaced by the mapping
    assigned = std::move(moved);
    EXPECT_TRUE(assigned.view() == data);
  }
  // Owned bytes keep pointing at their own storage when moved (short strings live inline).
  FileBytes a(std::string("abc"));
  FileBytes b = std::move(a);
  EXPECT_EQ(b.view(), "abc");
  std::filesystem::remove(path);
  EXPECT_EQ(MapFile(path).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace quiver
