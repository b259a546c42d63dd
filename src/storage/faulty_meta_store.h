// FaultyMetaStore wraps another MetaStore and fails commits on demand, so callers' error paths
// can be tested through the seam. Test-only; thread-safe like the store it wraps.
#pragma once

#include <atomic>

#include "storage/meta_store.h"

namespace quiver::storage {

class FaultyMetaStore : public MetaStore {
 public:
  explicit FaultyMetaStore(MetaStore& inner) : inner_(inner) {}  // inner outlives this

  // The next `n` commits fail with Unavailable and change nothing.
  void FailNextCommits(int n) { fail_commits_ = n; }

  Result<std::optional<std::string>> Get(std::string_view key) override { return inner_.Get(key); }
  Result<KeyValues> Scan(std::string_view prefix) override { return inner_.Scan(prefix); }
  Status Commit(const WriteBatch& batch) override {
    if (fail_commits_.load() > 0) {
      --fail_commits_;
      return Status::Unavailable("injected meta store commit failure");
    }
    return inner_.Commit(batch);
  }

 private:
  MetaStore& inner_;
  std::atomic<int> fail_commits_{0};
};

}  // namespace quiver::storage
