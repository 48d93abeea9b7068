#include "util/yaml_limits.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/yaml.h"

namespace sre_eval {

namespace {

// Thrown by the handler to stop the parser at the first problem; caught in CheckYamlLimits.
struct LimitExceeded {
  YAML::Mark mark;
  std::string message;
};

class LimitsHandler final : public YAML::EventHandler {
 public:
  LimitsHandler(const YamlLimits& limits, absl::string_view text) : limits_(limits), text_(text) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    // yaml-cpp 0.7 (Debian 12) never moves past a ',' where a document's node should start:
    // it reports an empty document at the same place again and again, forever.
    if (documents_++ > 0 && mark.pos == last_document_pos_) {
      throw LimitExceeded{mark, absl::StrCat("YAML syntax error: unexpected '", Char(mark.pos),
                                             "' where a document should start")};
    }
    last_document_pos_ = mark.pos;
    anchors_.clear();
    anchor_names_.clear();
    open_.clear();
  }
  void OnDocumentEnd() override {}

  void OnAnchor(const YAML::Mark&, const std::string& name) override {
    anchor_names_.push_back(name);
  }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Leaf(mark, anchor, 0); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    Leaf(mark, anchor, value.size());
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const Anchor* a = Find(anchor);
    if (a == nullptr) return;  // yaml-cpp reports an undefined anchor itself.
    if (a->open) {
      throw LimitExceeded{mark,
                          absl::StrCat("YAML alias *", Name(anchor),
                                       " refers to a node that contains it (an alias cycle)")};
    }
    CheckDepth(mark, static_cast<int>(open_.size()) + a->height);
    Add(mark, a->nodes, a->bytes);
    NoteHeight(a->height);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Anchor {
    bool open = true;
    size_t nodes = 0;
    size_t bytes = 0;
    int height = 0;  // Levels of collections in the anchored node (0 for a scalar).
  };
  struct Frame {
    YAML::anchor_t anchor;
    size_t nodes_at_start;
    size_t bytes_at_start;
    int height = 1;
  };

  const Anchor* Find(YAML::anchor_t id) const {
    return id >= 1 && id <= anchors_.size() ? &anchors_[id - 1] : nullptr;
  }
  Anchor* Define(YAML::anchor_t id) {
    if (id == 0) return nullptr;
    if (anchors_.size() < id) anchors_.resize(id);
    return &anchors_[id - 1];
  }
  std::string Name(YAML::anchor_t id) const {
    return id >= 1 && id <= anchor_names_.size() ? anchor_names_[id - 1] : absl::StrCat(id);
  }

  void Add(const YAML::Mark& mark, size_t nodes, size_t bytes) {
    nodes_ += nodes;
    bytes_ += bytes;
    if (nodes_ > limits_.max_expanded_nodes) {
      throw LimitExceeded{
          mark, absl::StrCat("YAML aliases expand to more than ", limits_.max_expanded_nodes,
                             " nodes (an alias bomb?)")};
    }
    if (bytes_ > limits_.max_expanded_bytes) {
      throw LimitExceeded{
          mark, absl::StrCat("YAML aliases expand to more than ", limits_.max_expanded_bytes,
                             " bytes (an alias bomb?)")};
    }
  }
  void CheckDepth(const YAML::Mark& mark, int depth) const {
    if (depth > limits_.max_depth) {
      throw LimitExceeded{
          mark, absl::StrCat("YAML nesting is deeper than ", limits_.max_depth, " levels")};
    }
  }
  // The parent collection holds something `height` levels high.
  void NoteHeight(int height) {
    if (!open_.empty()) open_.back().height = std::max(open_.back().height, height + 1);
  }
  void Leaf(const YAML::Mark& mark, YAML::anchor_t anchor, size_t bytes) {
    Add(mark, 1, bytes);
    if (Anchor* a = Define(anchor)) *a = Anchor{false, 1, bytes, 0};
  }
  void Open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    CheckDepth(mark, static_cast<int>(open_.size()) + 1);
    Add(mark, 1, 0);
    if (Anchor* a = Define(anchor)) *a = Anchor{};
    open_.push_back(Frame{anchor, nodes_ - 1, bytes_});
  }
  void Close() {
    if (open_.empty()) return;
    Frame f = open_.back();
    open_.pop_back();
    if (Anchor* a = Define(f.anchor)) {
      *a = Anchor{false, nodes_ - f.nodes_at_start, bytes_ - f.bytes_at_start, f.height};
    }
    NoteHeight(f.height);
  }

  std::string Char(int pos) const {
    if (pos < 0 || static_cast<size_t>(pos) >= text_.size()) return "end of file";
    return std::string(1, text_[static_cast<size_t>(pos)]);
  }

  const YamlLimits& limits_;
  absl::string_view text_;
  int documents_ = 0;
  int last_document_pos_ = -1;
  std::vector<Anchor> anchors_;  // By anchor id - 1, for the current document.
  std::vector<std::string> anchor_names_;
  std::vector<Frame> open_;
  size_t nodes_ = 0;
  size_t bytes_ = 0;
};

}  // namespace

std::optional<YamlLimitError> FindYamlLimitError(absl::string_view text, const YamlLimits& limits) {
  std::istringstream stream{std::string(text)};
  LimitsHandler handler(limits, text);
  try {
    YAML::Parser parser(stream);
    while (parser.HandleNextDocument(handler)) {
    }
  } catch (const LimitExceeded& e) {
    return YamlLimitError{e.mark.line >= 0 ? e.mark.line + 1 : 0,
                          e.mark.column >= 0 ? e.mark.column + 1 : 0, e.message};
  } catch (const YAML::Exception&) {
    return std::nullopt;  // Syntax: the caller's parser says it.
  }
  return std::nullopt;
}

absl::Status CheckYamlLimits(const std::string& file, absl::string_view text,
                             const YamlLimits& limits) {
  std::optional<YamlLimitError> e = FindYamlLimitError(text, limits);
  if (!e.has_value()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(file, ":", e->line, ":", e->column, ": ", e->message));
}

}  // namespace sre_eval
