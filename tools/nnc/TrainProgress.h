//===- TrainProgress.h - Progress bar and metrics file of nnc train -*- C++
//-*-=//
#ifndef NNC_TOOLS_NNC_TRAINPROGRESS_H
#define NNC_TOOLS_NNC_TRAINPROGRESS_H

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace nnc::driver {

/// The per-epoch progress line on stderr: a bar, the running loss and
/// accuracy, images/s and the ETA. On a terminal it redraws in place four
/// times a second; otherwise (logs, CI) it prints a line every tenth.
class Progress {
public:
  Progress(int64_t epoch, int64_t total, int64_t doneAtStart);
  void update(int64_t step, int64_t images, double loss, double accuracy,
              bool force = false);
  void finish();

private:
  int64_t epoch, total, doneAtStart;
  bool interactive;
  std::chrono::steady_clock::time_point start;
  double lastPrint = -1;
  int64_t lastDecile = -1;
};

/// Rewrites `file` with `lines` atomically (metrics.jsonl is small, so a
/// whole rewrite per epoch keeps it consistent with the checkpoint).
bool writeLines(const std::string &file, const std::vector<std::string> &lines,
                std::string &error);

/// The metrics.jsonl lines of epochs up to `epoch` (a resumed run drops
/// lines written after its checkpoint).
std::vector<std::string> readMetrics(const std::string &file, int64_t epoch);

} // namespace nnc::driver

#endif
