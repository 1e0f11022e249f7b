//===- TrainProgress.cpp - Progress bar and metrics file of nnc train -----===//

#include "tools/nnc/TrainProgress.h"
#include "tools/nnc/Training.h"

#include "runtime/io/FileIO.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace nnc;
using namespace nnc::driver;

Progress::Progress(int64_t epoch, int64_t total, int64_t doneAtStart)
    : epoch(epoch), total(total), doneAtStart(doneAtStart),
      interactive(isatty(2)), start(std::chrono::steady_clock::now()) {}

void Progress::update(int64_t step, int64_t images, double loss,
                      double accuracy, bool force) {
  auto now = std::chrono::steady_clock::now();
  double elapsed = std::chrono::duration<double>(now - start).count();
  bool due = interactive ? elapsed - lastPrint >= 0.25
                         : step * 10 / total != lastDecile;
  if (!due && !force)
    return;
  lastPrint = elapsed;
  lastDecile = step * 10 / total;
  double rate = elapsed > 0 ? images / elapsed : 0;
  double eta = step > doneAtStart && elapsed > 0
                   ? (total - step) * elapsed / (step - doneAtStart)
                   : 0;
  int width = 24, filled = int(width * step / std::max<int64_t>(total, 1));
  std::string bar(filled, '=');
  if (filled < width)
    bar += '>' + std::string(width - filled - 1, ' ');
  llvm::errs() << (interactive ? "\r" : "") << "epoch " << epoch << " [" << bar
               << "] " << step << "/" << total << " loss "
               << llvm::format("%.4f", loss) << " acc "
               << formatAccuracy(accuracy) << " " << llvm::format("%.0f", rate)
               << " img/s ETA "
               << llvm::format("%d:%02d", int(eta) / 60, int(eta) % 60)
               << (interactive ? "  " : "\n");
}

void Progress::finish() {
  if (interactive)
    llvm::errs() << "\n";
}

bool driver::writeLines(const std::string &file,
                        const std::vector<std::string> &lines,
                        std::string &error) {
  rt::io::AtomicFile out;
  if (!out.open(file, error))
    return false;
  for (auto &l : lines) {
    std::string line = l + "\n";
    if (!out.write(line.data(), line.size(), error))
      return false;
  }
  return out.commit(error);
}

std::vector<std::string> driver::readMetrics(const std::string &file,
                                             int64_t epoch) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    long long e = -1;
    if (std::sscanf(line.c_str(), "{\"epoch\": %lld", &e) == 1 && e <= epoch)
      lines.push_back(line);
  }
  return lines;
}
