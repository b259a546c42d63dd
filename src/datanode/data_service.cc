#include "datanode/data_service.h"

#include <fmt/format.h>

#include "common/logging.h"

namespace quiver::datanode {

int64_t PrimaryKeyFieldId(const catalog::CollectionRecord& c) {
  for (const auto& f : c.schema().fields()) {
    if (f.is_primary_key()) return f.fieldid();
  }
  return 0;
}

std::string DataService::ChannelName(int64_t collection_id) {
  return fmt::format("coll-{}", collection_id);
}

std::shared_ptr<DataService::Collection> DataService::Get(const catalog::CollectionRecord& c) {
  std::lock_guard lock(mu_);
  auto& slot = collections_[c.id()];
  if (!slot) {
    slot = std::make_shared<Collection>();
    slot->store = std::make_shared<segment::GrowingStore>(PrimaryKeyFieldId(c));
  }
  return slot;
}

std::shared_ptr<segment::GrowingStore> DataService::Store(const catalog::CollectionRecord& c) {
  return Get(c)->store;
}

Status DataService::Recover(const std::vector<catalog::CollectionRecord>& live) {
  std::set<std::string> keep;
  for (const auto& c : live) {
    std::string channel = ChannelName(c.id());
    keep.insert(channel);
    std::set<int64_t> partitions;
    for (const auto& p : c.partitions()) partitions.insert(p.id());
    std::shared_ptr<Collection> col = Get(c);
    int64_t entries = 0;
    Status st = log_.Replay(channel, 1, [&](storage::Lsn lsn, std::string_view bytes) -> Status {
      wal::WalEntry e;
      if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        return Status::Corruption("WAL channel {} LSN {}: entry does not parse", channel, lsn);
      }
      // Rows of partitions dropped since are gone with their partition.
      auto* inserts = e.mutable_inserts();
      for (int i = inserts->size() - 1; i >= 0; --i) {
        if (!partitions.contains(inserts->Get(i).partition_id())) inserts->DeleteSubrange(i, 1);
      }
      ++entries;
      return col->store->Apply(std::move(e));
    });
    if (!st.ok()) return st;
    if (entries > 0) {
      QV_LOG_INFO("collection {} recovered: {} WAL entries, {} rows", c.name(), entries,
                  col->store->RowCount());
    }
  }
  for (const auto& channel : log_.ListChannels()) {
    if (!keep.contains(channel)) {
      QV_LOG_INFO("dropping WAL channel {} of a dropped collection", channel);
      QV_RETURN_IF_ERROR(log_.DropChannel(channel));
    }
  }
  return Status::Ok();
}

Result<Timestamp> DataService::Write(const catalog::CollectionRecord& c, wal::WalEntry entry) {
  std::shared_ptr<Collection> col = Get(c);
  std::lock_guard lock(col->write_mu);
  QV_ASSIGN_OR_RETURN(Timestamp ts, tso_.Allocate());
  entry.set_ts(ts);
  entry.set_collection_id(c.id());
  std::string bytes = entry.SerializeAsString();
  QV_RETURN_IF_ERROR(log_.Append(ChannelName(c.id()), bytes).TakeStatus());
  QV_RETURN_IF_ERROR(col->store->Apply(std::move(entry)));
  return ts;
}

Status DataService::DropCollection(int64_t collection_id) {
  {
    std::lock_guard lock(mu_);
    collections_.erase(collection_id);
  }
  return log_.DropChannel(ChannelName(collection_id));
}

void DataService::DropPartition(int64_t collection_id, int64_t partition_id) {
  std::lock_guard lock(mu_);
  auto it = collections_.find(collection_id);
  if (it != collections_.end()) it->second->store->DropPartition(partition_id);
}

}  // namespace quiver::datanode
