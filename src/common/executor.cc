#include "common/executor.h"

#include <algorithm>
#include <atomic>

namespace quiver {

struct Executor::Job {
  const std::function<void(size_t)>* fn;
  size_t n;
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::condition_variable cv;
  size_t done = 0;  // guarded by mu
};

Executor::Executor(int threads) {
  for (int i = 0; i < threads; ++i) {
    workers_.emplace_back([this](std::stop_token stop) { WorkLoop(stop); });
  }
}

Executor::~Executor() {
  for (auto& w : workers_) w.request_stop();
  cv_.notify_all();
}

// Takes indices until none are left; counts the ones it ran.
void Executor::Drain(Job& job) {
  size_t ran = 0;
  for (size_t i = job.next.fetch_add(1); i < job.n; i = job.next.fetch_add(1)) {
    (*job.fn)(i);
    ++ran;
  }
  if (ran == 0) return;
  std::lock_guard lock(job.mu);
  job.done += ran;
  if (job.done == job.n) job.cv.notify_all();
}

void Executor::WorkLoop(std::stop_token stop) {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mu_);
      if (!cv_.wait(lock, stop, [&] { return !queue_.empty(); })) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    Drain(*job);
  }
}

void Executor::ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  if (n == 1 || workers_.empty()) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  auto job = std::make_shared<Job>();
  job->fn = &fn;
  job->n = n;
  const size_t helpers = std::min(n - 1, workers_.size());
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < helpers; ++i) queue_.push_back(job);
  }
  if (helpers == 1) cv_.notify_one();
  else cv_.notify_all();
  Drain(*job);
  std::unique_lock lock(job->mu);
  job->cv.wait(lock, [&] { return job->done == job->n; });
}

}  // namespace quiver
