// The version Quiver reports. GetVersion answers with the Milvus release whose wire protocol
// Quiver speaks, so clients that gate features on the server version enable them.
#pragma once

namespace quiver {

inline constexpr const char* kQuiverVersion = "0.1.0";
inline constexpr const char* kMilvusCompatVersion = "v2.6.17";

}  // namespace quiver
