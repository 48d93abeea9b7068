// A cpp-httplib task queue that gives every connection its own thread, so that long requests
// (watches, slow or idle clients) never hold the workers short requests need. httplib's own
// ThreadPool has a fixed number of workers: eight open watches froze the server.
#ifndef SRE_EVAL_SIM_API_CONNECTION_THREADS_H_
#define SRE_EVAL_SIM_API_CONNECTION_THREADS_H_

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sre_eval {
namespace sim {

// Runs each job (one connection, in httplib) on an idle thread, or on a new one while there
// are fewer than `max_threads`; beyond that, jobs wait for a thread to finish one. Threads
// are kept for later connections and joined by shutdown(), which waits for running jobs.
// enqueue() and shutdown() are called from httplib's listening thread.
class ConnectionThreads : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(size_t max_threads);
  ~ConnectionThreads() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  // Threads started so far (for tests and benchmarks).
  size_t threads();

 private:
  void Work();

  const size_t max_threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool shutdown_ = false;
};

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_API_CONNECTION_THREADS_H_
