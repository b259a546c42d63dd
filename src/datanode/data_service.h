// DataService owns the data of every collection in standalone mode: one WAL channel per
// collection (through the LogStore seam) and one GrowingStore fed from it. A write is
// acknowledged only after its WAL entry is durable and applied, so it is visible to the next
// read at any consistency level (read-your-writes). On start, Recover replays each live
// collection's channel and removes channels of collections that no longer exist.
//
// Thread-safety: writes to one collection are serialised (timestamp allocation, WAL append and
// apply happen in one critical section, so applied order equals timestamp order); writes to
// different collections proceed in parallel and share the WAL's group commit. Borrows the
// LogStore and the Tso; both must outlive the service.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "catalog.pb.h"
#include "coord/tso.h"
#include "segment/growing_store.h"
#include "storage/log_store.h"
#include "wal.pb.h"

namespace quiver::datanode {

class DataService {
 public:
  DataService(storage::LogStore& log, coord::Tso& tso) : log_(log), tso_(tso) {}

  // Replays the channels of `live` collections (skipping rows of partitions that no longer
  // exist) and drops every other channel.
  Status Recover(const std::vector<catalog::CollectionRecord>& live);

  // Stamps `entry` with a fresh timestamp, makes it durable, applies it; returns the timestamp.
  Result<Timestamp> Write(const catalog::CollectionRecord& collection, wal::WalEntry entry);

  // The collection's store (empty when nothing was written yet).
  std::shared_ptr<segment::GrowingStore> Store(const catalog::CollectionRecord& collection);

  Status DropCollection(int64_t collection_id);
  void DropPartition(int64_t collection_id, int64_t partition_id);

  static std::string ChannelName(int64_t collection_id);

 private:
  struct Collection {
    std::mutex write_mu;
    std::shared_ptr<segment::GrowingStore> store;
  };
  std::shared_ptr<Collection> Get(const catalog::CollectionRecord& c);

  storage::LogStore& log_;
  coord::Tso& tso_;
  std::mutex mu_;  // guards collections_
  // shared so a writer in flight keeps its collection alive across a concurrent drop
  std::map<int64_t, std::shared_ptr<Collection>> collections_;
};

int64_t PrimaryKeyFieldId(const catalog::CollectionRecord& c);

}  // namespace quiver::datanode
