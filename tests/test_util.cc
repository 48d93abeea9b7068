#include "test_util.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "gtest/gtest.h"
#include "util/subprocess.h"

namespace sre_eval {

std::vector<std::string> DiagnosticStrings(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.Sorted()) out.push_back(d.ToString());
  return out;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/sre-eval-test.XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::WriteFile(const std::string& relative, absl::string_view content) const {
  std::filesystem::path full = std::filesystem::path(path_) / relative;
  std::filesystem::create_directories(full.parent_path());
  std::ofstream out(full, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return full.string();
}

bool HaveKubectl() {
  static const bool have = [] {
    PosixProcessRunner runner;
    SubprocessOptions o;
    o.argv = {"kubectl", "version", "--client"};
    o.timeout = absl::Seconds(20);
    absl::StatusOr<SubprocessResult> r = runner.Run(o);
    return r.ok() && r->success();
  }();
  return have;
}

absl::Time At(const char* rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << rfc3339 << ": " << err;
  return t;
}

}  // namespace sre_eval
