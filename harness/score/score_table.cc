#include "score/score_table.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sre_eval {

namespace {

std::string Cell(const std::optional<double>& v) {
  return v.has_value() ? absl::StrFormat("%.4f", RoundScore(*v)) : "-";
}

void AddRow(const std::vector<std::string>& cells, const std::vector<size_t>& widths,
            std::string* out) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i == 0) {
      absl::StrAppend(&line, cells[i], std::string(widths[i] - cells[i].size(), ' '));
    } else {
      absl::StrAppend(&line, "  ", std::string(widths[i] - cells[i].size(), ' '), cells[i]);
    }
  }
  absl::StrAppend(out, absl::StripTrailingAsciiWhitespace(line), "\n");
}

}  // namespace

std::string ScoreTable(const RunScores& s) {
  std::vector<std::string> header = {"prompt", "trials", "score"};
  for (const auto& [name, value] : s.overall_dimensions) header.push_back(name);
  std::vector<std::vector<std::string>> rows;
  for (const PromptScores& p : s.prompts) {
    std::vector<std::string> row = {p.prompt_id, absl::StrCat(p.trials), Cell(p.score)};
    for (const auto& [name, value] : s.overall_dimensions) {
      auto it = std::find(p.dimensions.begin(), p.dimensions.end(), name);
      row.push_back(it == p.dimensions.end()
                        ? ""
                        : Cell(p.dimension_scores[static_cast<size_t>(it - p.dimensions.begin())]));
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::string> overall = {"overall", absl::StrCat(s.counts.scored), Cell(s.overall)};
  for (const auto& [name, value] : s.overall_dimensions) overall.push_back(Cell(value));
  rows.push_back(std::move(overall));

  std::vector<size_t> widths(header.size(), 0);
  for (size_t i = 0; i < header.size(); ++i) {
    widths[i] = std::max<size_t>(header[i].size(), i == 0 ? 0 : 6);
    for (const auto& row : rows) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  AddRow(header, widths, &out);
  for (const auto& row : rows) AddRow(row, widths, &out);
  return out;
}

}  // namespace sre_eval
