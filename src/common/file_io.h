// Whole-file reads for the storage layers (WAL files, segment objects): one fstat and large
// read(2) calls, not a byte-at-a-time stream. Thread-safe.
#pragma once

#include <string>

#include "common/status.h"

namespace quiver {

// The file's bytes; NotFound when it does not exist, Unavailable on other I/O errors.
Result<std::string> ReadFileContents(const std::string& path);

}  // namespace quiver
