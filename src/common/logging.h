// Logging macros over spdlog. The server installs the sink (stderr by default) at start-up;
// tests may install their own. Log lifecycle events only, never per request or per row.
#pragma once

#include <spdlog/spdlog.h>

#define QV_LOG_DEBUG(...) SPDLOG_DEBUG(__VA_ARGS__)
#define QV_LOG_INFO(...) ::spdlog::info(__VA_ARGS__)
#define QV_LOG_WARN(...) ::spdlog::warn(__VA_ARGS__)
#define QV_LOG_ERROR(...) ::spdlog::error(__VA_ARGS__)

// Aborts on a broken invariant (our bug), never on bad input.
#define QV_CHECK(cond)                                                          \
  do {                                                                          \
    if (!(cond)) {                                                              \
      ::spdlog::critical("check failed: {} at {}:{}", #cond, __FILE__, __LINE__); \
      ::std::abort();                                                           \
    }                                                                           \
  } while (0)
