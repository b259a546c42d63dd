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

}  // namespace
}  // namespace quiver
