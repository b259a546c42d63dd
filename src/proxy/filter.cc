#include "proxy/filter.h"

namespace quiver::proxy {

Result<CompiledFilter> CompileFilter(const std::string& expr,
                                     const milvus::proto::schema::CollectionSchema& schema,
                                     const TemplateValues& templates) {
  if (expr.find_first_not_of(" \t\n") == std::string::npos) return CompiledFilter{};
  return Status::Unimplemented("filter expressions are not supported yet");
}

}  // namespace quiver::proxy
