// Executor: a fixed pool of worker threads for the parallel parts of one request (search
// splits its exact scan or its queries over them). ParallelFor runs fn(0..n-1) with the
// calling thread taking part, and returns when every index is done; concurrent callers share
// the workers. fn must not throw. Owned by its user; the workers are std::jthreads stopped and
// joined by the destructor.
//
// Thread-safety: ParallelFor may be called from any number of threads at once.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

namespace quiver {

class Executor {
 public:
  // `threads` workers besides the callers (0: everything runs on the calling thread).
  explicit Executor(int threads);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  int threads() const { return static_cast<int>(workers_.size()); }
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

 private:
  struct Job;
  void WorkLoop(std::stop_token stop);
  static void Drain(Job& job);

  std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<std::shared_ptr<Job>> queue_;  // guarded by mu_; one entry per worker invited
  std::vector<std::jthread> workers_;       // last: stopped and joined first
};

}  // namespace quiver
