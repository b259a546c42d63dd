// libFuzzer target: WAL recovery and replay (src/wal). The input becomes the WAL files of one
// channel on an in-memory FaultyFileSystem: the first byte picks how many files (1-3) the rest
// is split into, each named after a plausible first LSN. Opening (torn-tail repair) and replay
// must return records or a Corruption status, never crash, hang or allocate without bound.
#include <cstddef>
#include <cstdint>
#include <string>

#include "storage/faulty_file_system.h"
#include "wal/local_log_store.h"

using quiver::Status;
using quiver::storage::FaultyFileSystem;
using quiver::wal::LocalLogStore;
using quiver::wal::LogOptions;
using quiver::wal::Lsn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  int files = data[0] % 3 + 1;
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  FaultyFileSystem fs(1);
  fs.AddDurableDir("/d");
  if (!fs.CreateDirs("/d/ch").ok()) return 0;
  size_t chunk = rest.size() / files + 1;
  for (int i = 0; i < files; ++i) {
    std::string part = rest.substr(std::min(rest.size(), i * chunk), chunk);
    std::string path = fmt::format("/d/ch/{:020}.wal", 1 + 3 * i);
    auto f = fs.OpenAppend(path, /*create=*/true);
    if (!f.ok() || !(*f)->Append(part).ok()) return 0;
  }
  LogOptions o;
  o.fs = &fs;
  auto store = LocalLogStore::Open("/d", o);
  if (!store.ok()) return 0;
  Lsn prev = 0;
  Status st = (*store)->Replay("ch", 1, [&](Lsn lsn, std::string_view) {
    // Replay hands out consecutive LSNs or fails.
    if (prev != 0 && lsn != prev + 1) __builtin_trap();
    prev = lsn;
    return Status::Ok();
  });
  if (st.ok()) {
    // An opened channel accepts appends that continue its LSNs.
    auto lsn = (*store)->Append("ch", "x");
    if (lsn.ok() && prev != 0 && *lsn != prev + 1) __builtin_trap();
  }
  return 0;
}
