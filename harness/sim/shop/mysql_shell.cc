#include "sim/shop/mysql_shell.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "sim/shop/service_proxy.h"

namespace sre_eval {
namespace sim {
namespace {

// A cell: text as the client prints it; numbers also as a double for comparing and summing.
struct Value {
  bool null = false;
  bool number = false;
  double num = 0;
  std::string text;
};

Value Text(std::string s) {
  Value v;
  v.text = std::move(s);
  return v;
}

// The shortest decimal that reads back as `d` (how MySQL prints a DOUBLE).
std::string Shortest(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  return std::string(buf, r.ptr);
}

Value Number(double d, std::string text) {
  Value v;
  v.number = true;
  v.num = d;
  v.text = std::move(text);
  return v;
}

Value Null() { return Value{true, false, 0, "NULL"}; }

Value Integer(int64_t i) { return Number(static_cast<double>(i), absl::StrCat(i)); }

// A FLOAT column's value: stored in single precision, printed with its shortest digits.
Value Float(double d) {
  const auto f = static_cast<float>(d);
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), f);
  return Number(static_cast<double>(f), std::string(buf, r.ptr));
}

struct Column {
  std::string name, type, null, key, extra;
  bool number = false;
  bool is_float = false;
};

struct Table {
  std::string name;
  std::vector<Column> columns;
  std::vector<std::vector<Value>> rows;
};

// socksdb as the catalogue-db image's dump.sql creates and fills it.
const std::vector<Table>& SocksDb() {
  static const auto* tables = [] {
    auto* t = new std::vector<Table>(3);
    Table& sock = (*t)[0];
    sock.name = "sock";
    sock.columns = {{"sock_id", "varchar(40)", "NO", "PRI", ""},
                    {"name", "varchar(20)", "YES", "", ""},
                    {"description", "varchar(200)", "YES", "", ""},
                    {"price", "float", "YES", "", "", true, true},
                    {"count", "int(11)", "YES", "", "", true},
                    {"image_url_1", "varchar(40)", "YES", "", ""},
                    {"image_url_2", "varchar(40)", "YES", "", ""}};
    for (const CatalogueSock& s : CatalogueSocks()) {
      sock.rows.push_back({Text(s.id), Text(s.name), Text(s.description), Float(s.price),
                           Integer(s.count), Text(s.image1), Text(s.image2)});
    }
    Table& sock_tag = (*t)[1];
    sock_tag.name = "sock_tag";
    sock_tag.columns = {{"sock_id", "varchar(40)", "YES", "MUL", ""},
                        {"tag_id", "mediumint(9)", "NO", "MUL", "", true}};
    for (const auto& [id, tag] : CatalogueSockTags()) {
      sock_tag.rows.push_back({Text(id), Integer(tag)});
    }
    Table& tag = (*t)[2];
    tag.name = "tag";
    tag.columns = {{"tag_id", "mediumint(9)", "NO", "PRI", "auto_increment", true},
                   {"name", "varchar(20)", "YES", "", ""}};
    int64_t id = 0;
    for (const std::string& name : CatalogueTags()) tag.rows.push_back({Integer(++id), Text(name)});
    return t;
  }();
  return *tables;
}

// A statement's failure: MySQL's code, SQLSTATE and message.
struct SqlError {
  int code;
  std::string state;
  std::string message;
};

SqlError Syntax(absl::string_view near) {
  return {1064, "42000",
          absl::StrCat("You have an error in your SQL syntax; check the manual that corresponds "
                       "to your MySQL server version for the right syntax to use near '",
                       near.substr(0, 80), "' at line 1")};
}

SqlError NotSupported(absl::string_view what) {
  return {1235, "42000",
          absl::StrCat("This version of MySQL doesn't yet support '", what,
                       " in the simulated catalogue-db'")};
}

struct Token {
  enum Kind { kWord, kQuoted, kNumber, kString, kSymbol, kEnd } kind = kEnd;
  std::string text;  // Words as written; strings unescaped.
  size_t pos = 0;    // In the statement.
  size_t end = 0;
};

bool Tokenize(absl::string_view sql, std::vector<Token>* out, SqlError* error) {
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (absl::ascii_isspace(c)) {
      ++i;
      continue;
    }
    Token t;
    t.pos = i;
    if (absl::ascii_isalpha(c) || c == '_' || c == '$') {
      while (i < sql.size() && (absl::ascii_isalnum(sql[i]) || sql[i] == '_' || sql[i] == '$')) ++i;
      t.kind = Token::kWord;
      t.text = std::string(sql.substr(t.pos, i - t.pos));
    } else if (absl::ascii_isdigit(c) ||
               (c == '.' && i + 1 < sql.size() && absl::ascii_isdigit(sql[i + 1]))) {
      while (i < sql.size() && (absl::ascii_isdigit(sql[i]) || sql[i] == '.')) ++i;
      t.kind = Token::kNumber;
      t.text = std::string(sql.substr(t.pos, i - t.pos));
    } else if (c == '\'' || c == '"' || c == '`') {
      ++i;
      bool closed = false;
      while (i < sql.size()) {
        if (sql[i] == '\\' && c != '`' && i + 1 < sql.size()) {
          const char e = sql[i + 1];
          t.text += e == 'n' ? '\n' : e == 't' ? '\t' : e == '0' ? '\0' : e;
          i += 2;
        } else if (sql[i] == c && i + 1 < sql.size() && sql[i + 1] == c) {
          t.text += c;
          i += 2;
        } else if (sql[i] == c) {
          ++i;
          closed = true;
          break;
        } else {
          t.text += sql[i++];
        }
      }
      if (!closed) {
        *error = Syntax(sql.substr(t.pos));
        return false;
      }
      t.kind = c == '`' ? Token::kQuoted : Token::kString;
    } else {
      static constexpr absl::string_view kTwo[] = {"!=", "<>", "<=", ">="};
      t.kind = Token::kSymbol;
      t.text = std::string(1, c);
      for (absl::string_view two : kTwo) {
        if (sql.substr(i, 2) == two) t.text = std::string(two);
      }
      i += t.text.size();
      if (absl::string_view("(),.*=<>+-").find(c) == absl::string_view::npos &&
          t.text.size() == 1) {
        *error = Syntax(sql.substr(t.pos));
        return false;
      }
    }
    t.end = i;
    out->push_back(std::move(t));
  }
  Token end;
  end.pos = end.end = sql.size();
  out->push_back(end);
  return true;
}

// Compares two values as MySQL does for these types: numbers as numbers (a string against
// a number is read as a number), strings without regard to case.
int Compare(const Value& a, const Value& b) {
  if (a.number || b.number) {
    auto as_number = [](const Value& v) {
      if (v.number) return v.num;
      double d = 0;
      absl::string_view s = absl::StripAsciiWhitespace(v.text);
      size_t n = 0;
      while (n < s.size() && (absl::ascii_isdigit(s[n]) || s[n] == '.' || (n == 0 && s[n] == '-')))
        ++n;
      if (!absl::SimpleAtod(s.substr(0, n), &d)) d = 0;
      return d;
    };
    const double x = as_number(a), y = as_number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const std::string x = absl::AsciiStrToLower(a.text), y = absl::AsciiStrToLower(b.text);
  return x < y ? -1 : x > y ? 1 : 0;
}

// LIKE, without regard to case: % any run, _ one character, \ escapes. Matched with one
// backtracking point (the last %), so that a pattern of many %s stays linear per step.
bool Like(absl::string_view s, absl::string_view p) {
  size_t i = 0, j = 0, star = absl::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (j < p.size() && p[j] == '%') {
      star = j++;
      mark = i;
      continue;
    }
    if (j < p.size()) {
      const bool escaped = p[j] == '\\' && j + 1 < p.size();
      const char want = escaped ? p[j + 1] : p[j];
      if ((!escaped && want == '_') || absl::ascii_tolower(want) == absl::ascii_tolower(s[i])) {
        i += 1;
        j += escaped ? 2 : 1;
        continue;
      }
    }
    if (star == absl::string_view::npos) return false;
    j = star + 1;
    i = ++mark;
  }
  while (j < p.size() && p[j] == '%') ++j;
  return j == p.size();
}

struct Result {
  std::vector<std::string> names;
  std::vector<bool> numeric;  // Right-aligned in tables.
  std::vector<std::vector<Value>> rows;
};

// A WHERE condition.
struct Cond {
  enum Op { kCompare, kLike, kIn, kIsNull, kAnd, kOr, kNot } op = kCompare;
  size_t column = 0;
  std::string cmp;
  std::vector<Value> values;
  bool negate = false;
  std::unique_ptr<Cond> a, b;

  bool Eval(const std::vector<Value>& row) const {
    switch (op) {
      case kAnd:
        return a->Eval(row) && b->Eval(row);
      case kOr:
        return a->Eval(row) || b->Eval(row);
      case kNot:
        return !a->Eval(row);
      case kIsNull:
        return row[column].null != negate;
      case kLike:
        return !row[column].null && Like(row[column].text, values[0].text) != negate;
      case kIn: {
        if (row[column].null) return false;
        bool in = false;
        for (const Value& v : values) in = in || Compare(row[column], v) == 0;
        return in != negate;
      }
      case kCompare: {
        if (row[column].null || values[0].null) return false;
        const int c = Compare(row[column], values[0]);
        if (cmp == "=") return c == 0;
        if (cmp == "!=" || cmp == "<>") return c != 0;
        if (cmp == "<") return c < 0;
        if (cmp == ">") return c > 0;
        if (cmp == "<=") return c <= 0;
        return c >= 0;
      }
    }
    return false;
  }
};

class Session;

// One statement's parser and evaluator.
class Statement {
 public:
  Statement(Session* session, absl::string_view sql) : session_(session), sql_(sql) {}
  // The result set (none for USE), or the error.
  std::optional<Result> Run(SqlError* error);

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(at_ + ahead, tokens_.size() - 1)];
  }
  bool IsWord(absl::string_view w, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == Token::kWord && absl::EqualsIgnoreCase(t.text, w);
  }
  bool IsSymbol(absl::string_view s) const {
    return Peek().kind == Token::kSymbol && Peek().text == s;
  }
  bool Accept(absl::string_view w) {
    if (!IsWord(w) && !IsSymbol(w)) return false;
    ++at_;
    return true;
  }
  bool Fail(SqlError e) {
    if (!failed_) error_ = std::move(e);
    failed_ = true;
    return false;
  }
  bool FailSyntax() { return Fail(Syntax(sql_.substr(Peek().pos))); }
  bool Expect(absl::string_view w) { return Accept(w) || FailSyntax(); }
  bool Name(std::string* out) {
    if (Peek().kind != Token::kWord && Peek().kind != Token::kQuoted) return FailSyntax();
    *out = tokens_[at_++].text;
    return true;
  }
  bool Literal(Value* out);
  // [db.]table: the table, or the error.
  const Table* TableRef();
  std::optional<size_t> ColumnIndex(const Table& t, const std::string& name,
                                    absl::string_view clause);
  std::unique_ptr<Cond> Or(const Table& t);
  std::unique_ptr<Cond> And(const Table& t);
  std::unique_ptr<Cond> Not(const Table& t);
  std::unique_ptr<Cond> Predicate(const Table& t);
  std::optional<Result> Select();
  std::optional<Result> Show();
  std::optional<Result> Describe();

  Session* session_;
  absl::string_view sql_;
  std::vector<Token> tokens_;
  size_t at_ = 0;
  bool failed_ = false;
  SqlError error_;
};

class Session {
 public:
  Session(std::string user, std::string db) : user_(std::move(user)), db_(std::move(db)) {}
  const std::string& db() const { return db_; }
  void set_db(std::string db) { db_ = std::move(db); }
  std::vector<std::string> Databases() const {
    if (user_ == "root")
      return {"information_schema", "mysql", "performance_schema", "socksdb", "sys"};
    return {"information_schema", "socksdb"};
  }
  bool KnowsDatabase(const std::string& db) const {
    for (const std::string& d : Databases()) {
      if (d == db) return true;
    }
    return false;
  }
  std::string now;

 private:
  std::string user_;
  std::string db_;
};

bool Statement::Literal(Value* out) {
  const Token& t = Peek();
  bool negative = false;
  size_t ahead = 0;
  if (t.kind == Token::kSymbol && (t.text == "-" || t.text == "+")) {
    negative = t.text == "-";
    ahead = 1;
  }
  const Token& v = Peek(ahead);
  if (v.kind == Token::kNumber) {
    double d = 0;
    if (!absl::SimpleAtod(v.text, &d)) return FailSyntax();
    *out = Number(negative ? -d : d, (negative ? "-" : "") + v.text);
    at_ += ahead + 1;
    return true;
  }
  if (ahead == 0 && v.kind == Token::kString) {
    *out = Text(v.text);
    ++at_;
    return true;
  }
  if (ahead == 0 && IsWord("NULL")) {
    out->null = true;
    out->text = "NULL";
    ++at_;
    return true;
  }
  return FailSyntax();
}

const Table* Statement::TableRef() {
  std::string db = session_->db(), name;
  if (!Name(&name)) return nullptr;
  if (Accept(".")) {
    db = name;
    if (!Name(&name)) return nullptr;
  }
  if (db.empty()) {
    Fail({1046, "3D000", "No database selected"});
    return nullptr;
  }
  if (db == "socksdb") {
    for (const Table& t : SocksDb()) {
      if (t.name == name) return &t;
    }
  } else if (session_->KnowsDatabase(db)) {
    Fail(NotSupported(absl::StrCat("tables of database ", db)));
    return nullptr;
  }
  Fail({1146, "42S02", absl::StrCat("Table '", db, ".", name, "' doesn't exist")});
  return nullptr;
}

std::optional<size_t> Statement::ColumnIndex(const Table& t, const std::string& name,
                                             absl::string_view clause) {
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (absl::EqualsIgnoreCase(t.columns[i].name, name)) return i;
  }
  Fail({1054, "42S22", absl::StrCat("Unknown column '", name, "' in '", clause, "'")});
  return std::nullopt;
}

std::unique_ptr<Cond> Statement::Or(const Table& t) {
  std::unique_ptr<Cond> left = And(t);
  while (left != nullptr && (Accept("OR") || Accept("||"))) {
    auto c = std::make_unique<Cond>();
    c->op = Cond::kOr;
    c->a = std::move(left);
    c->b = And(t);
    if (c->b == nullptr) return nullptr;
    left = std::move(c);
  }
  return left;
}

std::unique_ptr<Cond> Statement::And(const Table& t) {
  std::unique_ptr<Cond> left = Not(t);
  while (left != nullptr && Accept("AND")) {
    auto c = std::make_unique<Cond>();
    c->op = Cond::kAnd;
    c->a = std::move(left);
    c->b = Not(t);
    if (c->b == nullptr) return nullptr;
    left = std::move(c);
  }
  return left;
}

std::unique_ptr<Cond> Statement::Not(const Table& t) {
  if (Accept("NOT")) {
    auto c = std::make_unique<Cond>();
    c->op = Cond::kNot;
    c->a = Not(t);
    return c->a == nullptr ? nullptr : std::move(c);
  }
  if (Accept("(")) {
    std::unique_ptr<Cond> inner = Or(t);
    if (inner == nullptr || !Expect(")")) return nullptr;
    return inner;
  }
  return Predicate(t);
}

std::unique_ptr<Cond> Statement::Predicate(const Table& t) {
  std::string name;
  if (!Name(&name)) return nullptr;
  if (Accept(".")) {  // table.column
    if (!absl::EqualsIgnoreCase(name, t.name)) {
      Fail({1054, "42S22",
            absl::StrCat("Unknown column '", name, ".", Peek().text, "' in 'where clause'")});
      return nullptr;
    }
    if (!Name(&name)) return nullptr;
  }
  std::optional<size_t> column = ColumnIndex(t, name, "where clause");
  if (!column.has_value()) return nullptr;
  auto c = std::make_unique<Cond>();
  c->column = *column;
  if (Accept("IS")) {
    c->op = Cond::kIsNull;
    c->negate = Accept("NOT");
    if (!Expect("NULL")) return nullptr;
    return c;
  }
  c->negate = Accept("NOT");
  if (Accept("LIKE")) {
    c->op = Cond::kLike;
  } else if (Accept("IN")) {
    c->op = Cond::kIn;
    if (!Expect("(")) return nullptr;
    do {
      Value v;
      if (!Literal(&v)) return nullptr;
      c->values.push_back(std::move(v));
    } while (Accept(","));
    if (!Expect(")")) return nullptr;
    return c;
  } else if (c->negate) {
    FailSyntax();
    return nullptr;
  } else {
    const Token& op = Peek();
    if (op.kind != Token::kSymbol ||
        !(op.text == "=" || op.text == "!=" || op.text == "<>" || op.text == "<" ||
          op.text == ">" || op.text == "<=" || op.text == ">=")) {
      FailSyntax();
      return nullptr;
    }
    c->cmp = op.text;
    ++at_;
  }
  Value v;
  if (!Literal(&v)) return nullptr;
  c->values.push_back(std::move(v));
  return c;
}

std::optional<Result> Statement::Run(SqlError* error) {
  auto fail = [&]() -> std::optional<Result> {
    *error = error_;
    return std::nullopt;
  };
  if (!Tokenize(sql_, &tokens_, &error_)) return fail();
  std::optional<Result> r;
  if (IsWord("SELECT")) {
    r = Select();
  } else if (IsWord("SHOW")) {
    r = Show();
  } else if (IsWord("DESCRIBE") || IsWord("DESC") || IsWord("EXPLAIN")) {
    r = Describe();
  } else if (Accept("USE")) {
    std::string db;
    if (!Name(&db)) return fail();
    if (!session_->KnowsDatabase(db)) {
      Fail({1049, "42000", absl::StrCat("Unknown database '", db, "'")});
      return fail();
    }
    session_->set_db(db);
    if (Peek().kind != Token::kEnd) FailSyntax();
    if (failed_) return fail();
    return Result();
  } else if (Peek().kind == Token::kWord) {
    Fail(NotSupported(absl::AsciiStrToUpper(Peek().text) + " (the database is read-only)"));
  } else {
    FailSyntax();
  }
  if (failed_) return fail();
  if (Peek().kind != Token::kEnd) {
    const std::string word = absl::AsciiStrToUpper(Peek().text);
    if (word == "JOIN" || word == "GROUP" || word == "HAVING" || word == "UNION" ||
        word == "INNER" || word == "LEFT" || word == "RIGHT") {
      Fail(NotSupported(word == "INNER" || word == "LEFT" || word == "RIGHT" ? "JOIN" : word));
    } else {
      FailSyntax();
    }
    return fail();
  }
  return r;
}

std::optional<Result> Statement::Show() {
  Expect("SHOW");
  Result r;
  if (Accept("DATABASES") || Accept("SCHEMAS")) {
    r.names = {"Database"};
    r.numeric = {false};
    for (const std::string& d : session_->Databases()) r.rows.push_back({Text(d)});
    return r;
  }
  if (Accept("TABLES")) {
    std::string db = session_->db();
    if (Accept("FROM") || Accept("IN")) {
      if (!Name(&db)) return std::nullopt;
    }
    if (db.empty()) {
      Fail({1046, "3D000", "No database selected"});
      return std::nullopt;
    }
    if (!session_->KnowsDatabase(db)) {
      Fail({1049, "42000", absl::StrCat("Unknown database '", db, "'")});
      return std::nullopt;
    }
    if (db != "socksdb") {
      Fail(NotSupported(absl::StrCat("tables of database ", db)));
      return std::nullopt;
    }
    r.names = {"Tables_in_" + db};
    r.numeric = {false};
    for (const Table& t : SocksDb()) r.rows.push_back({Text(t.name)});
    return r;
  }
  if (IsWord("COLUMNS") || IsWord("FIELDS")) return Describe();
  if (Peek().kind == Token::kWord) {
    Fail(NotSupported(absl::StrCat("SHOW ", absl::AsciiStrToUpper(Peek().text))));
  } else {
    FailSyntax();
  }
  return std::nullopt;
}

std::optional<Result> Statement::Describe() {
  ++at_;  // DESCRIBE, DESC, EXPLAIN, or COLUMNS/FIELDS after SHOW.
  Accept("FROM");
  const Table* t = TableRef();
  if (t == nullptr) return std::nullopt;
  Result r;
  r.names = {"Field", "Type", "Null", "Key", "Default", "Extra"};
  r.numeric.assign(6, false);
  for (const Column& c : t->columns) {
    r.rows.push_back(
        {Text(c.name), Text(c.type), Text(c.null), Text(c.key), Null(), Text(c.extra)});
  }
  return r;
}

std::optional<Result> Statement::Select() {
  Expect("SELECT");
  const bool distinct = Accept("DISTINCT");
  // The list, read twice: once for its shape here, once against the table below.
  struct Item {
    std::string header;
    std::string function;  // COUNT, SUM, MIN, MAX, AVG; empty for a column or `*`.
    std::string column;    // "*" for `*` and COUNT(*).
    std::optional<Value> literal;
    bool star = false;
  };
  std::vector<Item> items;
  do {
    Item item;
    const size_t start = Peek().pos;
    if (Accept("*")) {
      item.star = true;
    } else if (Peek().kind == Token::kWord && Peek(1).kind == Token::kSymbol &&
               Peek(1).text == "(") {
      item.function = absl::AsciiStrToUpper(Peek().text);
      at_ += 2;
      if (item.function == "DATABASE" || item.function == "NOW") {
        if (!Expect(")")) return std::nullopt;
        item.literal = item.function == "NOW"   ? Text(session_->now)
                       : session_->db().empty() ? Null()
                                                : Text(session_->db());
      } else if (item.function == "COUNT" || item.function == "SUM" || item.function == "MIN" ||
                 item.function == "MAX" || item.function == "AVG") {
        if (item.function == "COUNT" && Accept("*")) {
          item.column = "*";
        } else if (!Name(&item.column)) {
          return std::nullopt;
        }
        if (!Expect(")")) return std::nullopt;
      } else {
        Fail(NotSupported(absl::StrCat("the function ", item.function)));
        return std::nullopt;
      }
    } else if (Peek().kind == Token::kNumber || Peek().kind == Token::kString || IsSymbol("-")) {
      Value v;
      if (!Literal(&v)) return std::nullopt;
      item.literal = v;
    } else {
      if (!Name(&item.column)) return std::nullopt;
      if (Accept(".")) {
        if (Accept("*")) {
          item.star = true;
        } else if (!Name(&item.column)) {
          return std::nullopt;
        }
      }
    }
    item.header = std::string(absl::StripAsciiWhitespace(sql_.substr(start, Peek().pos - start)));
    if (item.literal.has_value() && item.literal->null && item.function.empty()) {
      item.header = "NULL";
    }
    if (Accept("AS")) {
      if (Peek().kind == Token::kString) {
        item.header = tokens_[at_++].text;
      } else if (!Name(&item.header)) {
        return std::nullopt;
      }
    } else if ((Peek().kind == Token::kWord && !IsWord("FROM") && !IsWord("WHERE") &&
                !IsWord("ORDER") && !IsWord("LIMIT") && !IsWord("GROUP") && !IsWord("HAVING") &&
                !IsWord("UNION")) ||
               Peek().kind == Token::kQuoted || Peek().kind == Token::kString) {
      item.header = tokens_[at_++].text;
    }
    items.push_back(std::move(item));
  } while (Accept(","));

  Result r;
  if (!Accept("FROM")) {
    std::vector<Value> row;
    for (const Item& item : items) {
      if (!item.literal.has_value()) {
        if (item.star) {
          Fail({1096, "HY000", "No tables used"});
        } else {
          Fail({1054, "42S22", absl::StrCat("Unknown column '", item.column, "' in 'field list'")});
        }
        return std::nullopt;
      }
      r.names.push_back(item.header);
      r.numeric.push_back(item.literal->number);
      row.push_back(*item.literal);
    }
    r.rows.push_back(std::move(row));
    return r;
  }
  const Table* t = TableRef();
  if (t == nullptr) return std::nullopt;
  if (IsWord("AS") ||
      (Peek().kind == Token::kWord && !IsWord("WHERE") && !IsWord("ORDER") && !IsWord("LIMIT") &&
       !IsWord("GROUP") && !IsWord("JOIN") && !IsWord("INNER") && !IsWord("LEFT") &&
       !IsWord("RIGHT") && !IsWord("HAVING") && !IsWord("UNION"))) {
    Fail(NotSupported("table aliases"));
    return std::nullopt;
  }
  // Columns of the list.
  struct Out {
    std::string header;
    std::string function;
    std::optional<size_t> column;  // None for COUNT(*) and literals.
    std::optional<Value> literal;
  };
  std::vector<Out> outs;
  bool aggregate = false, plain = false;
  std::string first_plain;
  for (const Item& item : items) {
    if (item.star) {
      for (size_t i = 0; i < t->columns.size(); ++i) outs.push_back({t->columns[i].name, "", i});
      plain = true;
      if (first_plain.empty()) first_plain = t->columns[0].name;
      continue;
    }
    Out o{item.header, item.function, std::nullopt, item.literal};
    if (!item.literal.has_value() && item.column != "*") {
      o.column = ColumnIndex(*t, item.column, "field list");
      if (!o.column.has_value()) return std::nullopt;
    }
    if (!item.function.empty() && !item.literal.has_value()) {
      aggregate = true;
    } else if (!item.literal.has_value()) {
      plain = true;
      if (first_plain.empty()) first_plain = t->columns[*o.column].name;
    }
    outs.push_back(std::move(o));
  }
  std::unique_ptr<Cond> where;
  if (Accept("WHERE")) {
    where = Or(*t);
    if (where == nullptr) return std::nullopt;
  }
  if (IsWord("GROUP") || IsWord("HAVING")) {
    Fail(NotSupported(absl::AsciiStrToUpper(Peek().text)));
    return std::nullopt;
  }
  if (aggregate && plain) {
    Fail({1140, "42000",
          absl::StrCat("In aggregated query without GROUP BY, expression #1 of SELECT list "
                       "contains nonaggregated column 'socksdb.",
                       t->name, ".", first_plain,
                       "'; this is incompatible with sql_mode=only_full_group_by")});
    return std::nullopt;
  }
  struct Key {
    size_t out;  // Index in outs.
    bool desc;
  };
  std::vector<Key> order;
  if (Accept("ORDER")) {
    if (!Expect("BY")) return std::nullopt;
    do {
      Key k{0, false};
      if (Peek().kind == Token::kNumber) {
        int64_t n = 0;
        if (!absl::SimpleAtoi(Peek().text, &n) || n < 1 || n > static_cast<int64_t>(outs.size())) {
          Fail({1054, "42S22",
                absl::StrCat("Unknown column '", Peek().text, "' in 'order clause'")});
          return std::nullopt;
        }
        k.out = static_cast<size_t>(n - 1);
        ++at_;
      } else {
        std::string name;
        if (!Name(&name)) return std::nullopt;
        bool found = false;
        for (size_t i = 0; i < outs.size() && !found; ++i) {
          if (absl::EqualsIgnoreCase(outs[i].header, name)) {
            k.out = i;
            found = true;
          }
        }
        if (!found) {
          // A column of the table that the list does not show: sorted on, not printed.
          std::optional<size_t> c = ColumnIndex(*t, name, "order clause");
          if (!c.has_value()) return std::nullopt;
          outs.push_back({"", "hidden", c});
          k.out = outs.size() - 1;
        }
      }
      if (Accept("DESC")) {
        k.desc = true;
      } else {
        Accept("ASC");
      }
      order.push_back(k);
    } while (Accept(","));
  }
  int64_t offset = 0, limit = -1;
  if (Accept("LIMIT")) {
    auto number = [&](int64_t* out) {
      if (Peek().kind != Token::kNumber || !absl::SimpleAtoi(Peek().text, out)) return FailSyntax();
      ++at_;
      return true;
    };
    if (!number(&limit)) return std::nullopt;
    if (Accept(",")) {
      offset = limit;
      if (!number(&limit)) return std::nullopt;
    } else if (Accept("OFFSET")) {
      if (!number(&offset)) return std::nullopt;
    }
  }
  if (failed_) return std::nullopt;

  std::vector<const std::vector<Value>*> rows;
  for (const auto& row : t->rows) {
    if (where == nullptr || where->Eval(row)) rows.push_back(&row);
  }
  for (const Out& o : outs) {
    if (o.function == "hidden") continue;
    r.names.push_back(o.header);
    const bool numeric = o.literal.has_value() ? o.literal->number
                         : o.function == "COUNT"
                             ? true
                             : o.column.has_value() && t->columns[*o.column].number;
    r.numeric.push_back(numeric);
  }
  if (aggregate) {
    std::vector<Value> row;
    for (const Out& o : outs) {
      if (o.literal.has_value()) {
        row.push_back(*o.literal);
        continue;
      }
      if (o.function == "COUNT") {
        row.push_back(Integer(static_cast<int64_t>(rows.size())));
        continue;
      }
      const Column& col = t->columns[*o.column];
      if (rows.empty()) {
        row.push_back(Null());
        continue;
      }
      if (o.function == "MIN" || o.function == "MAX") {
        const Value* best = &(*rows[0])[*o.column];
        for (const auto* rw : rows) {
          const int c = Compare((*rw)[*o.column], *best);
          if ((o.function == "MIN" && c < 0) || (o.function == "MAX" && c > 0)) {
            best = &(*rw)[*o.column];
          }
        }
        row.push_back(*best);
        continue;
      }
      double sum = 0;
      for (const auto* rw : rows) {
        const Value& v = (*rw)[*o.column];
        sum += v.number ? v.num : 0;
      }
      if (!col.number) {
        // Strings sum as the numbers they begin with: 0 for these columns.
        row.push_back(Number(0, "0"));
      } else if (col.is_float) {
        row.push_back(
            Number(o.function == "SUM" ? sum : sum / static_cast<double>(rows.size()),
                   Shortest(o.function == "SUM" ? sum : sum / static_cast<double>(rows.size()))));
      } else if (o.function == "SUM") {
        row.push_back(Integer(static_cast<int64_t>(sum)));
      } else {
        // AVG of an integer column is a DECIMAL with 4 more digits of scale.
        const double avg = sum / static_cast<double>(rows.size());
        row.push_back(Number(avg, absl::StrFormat("%.4f", avg)));
      }
    }
    r.rows.push_back(std::move(row));
    return r;
  }
  std::vector<std::vector<Value>> full;
  for (const auto* rw : rows) {
    std::vector<Value> row;
    for (const Out& o : outs) row.push_back(o.literal.has_value() ? *o.literal : (*rw)[*o.column]);
    full.push_back(std::move(row));
  }
  if (!order.empty()) {
    std::stable_sort(full.begin(), full.end(), [&](const auto& x, const auto& y) {
      for (const Key& k : order) {
        const int c = Compare(x[k.out], y[k.out]);
        if (c != 0) return k.desc ? c > 0 : c < 0;
      }
      return false;
    });
  }
  const size_t shown = r.names.size();
  std::set<std::vector<std::string>> seen;
  int64_t skipped = 0;
  for (auto& row : full) {
    row.resize(shown);  // Hidden sort columns go.
    if (distinct) {
      std::vector<std::string> key;
      for (const Value& v : row) key.push_back(absl::AsciiStrToLower(v.text));
      if (!seen.insert(key).second) continue;
    }
    if (skipped++ < offset) continue;
    if (limit >= 0 && static_cast<int64_t>(r.rows.size()) >= limit) break;
    r.rows.push_back(std::move(row));
  }
  return r;
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\0') {
      out += "\\0";
    } else {
      out += c;
    }
  }
  return out;
}

enum class Format { kBatch, kTable, kVertical };

void Print(const Result& r, Format format, bool headers, std::string* out) {
  if (r.rows.empty()) return;  // The client prints nothing for an empty set without a tty.
  if (format == Format::kVertical) {
    size_t width = 0;
    for (const std::string& n : r.names) width = std::max(width, n.size());
    for (size_t i = 0; i < r.rows.size(); ++i) {
      absl::StrAppend(out, "*************************** ", i + 1,
                      ". row ***************************\n");
      for (size_t c = 0; c < r.names.size(); ++c) {
        absl::StrAppend(out, std::string(width - r.names[c].size(), ' '), r.names[c], ": ",
                        r.rows[i][c].text, "\n");
      }
    }
    return;
  }
  if (format == Format::kTable) {
    std::vector<size_t> width(r.names.size());
    for (size_t c = 0; c < r.names.size(); ++c) {
      width[c] = headers ? r.names[c].size() : 0;
      for (const auto& row : r.rows) width[c] = std::max(width[c], row[c].text.size());
    }
    std::string rule = "+";
    for (size_t w : width) absl::StrAppend(&rule, std::string(w + 2, '-'), "+");
    rule += "\n";
    auto line = [&](const std::vector<std::string>& cells, bool header) {
      std::string l = "|";
      for (size_t c = 0; c < cells.size(); ++c) {
        const std::string pad(width[c] - cells[c].size(), ' ');
        const bool right = !header && r.numeric[c];
        absl::StrAppend(&l, " ", right ? pad : "", cells[c], right ? "" : pad, " |");
      }
      return l + "\n";
    };
    *out += rule;
    if (headers) *out += line(r.names, true) + rule;
    for (const auto& row : r.rows) {
      std::vector<std::string> cells;
      for (const Value& v : row) cells.push_back(v.text);
      *out += line(cells, false);
    }
    *out += rule;
    return;
  }
  if (headers) {
    std::vector<std::string> names;
    for (const std::string& n : r.names) names.push_back(Escape(n));
    absl::StrAppend(out, absl::StrJoin(names, "\t"), "\n");
  }
  for (const auto& row : r.rows) {
    std::vector<std::string> cells;
    for (const Value& v : row) cells.push_back(v.null ? "NULL" : Escape(v.text));
    absl::StrAppend(out, absl::StrJoin(cells, "\t"), "\n");
  }
}

// Splits a script into statements at `;` (and `\G`, which prints that one vertically)
// outside quotes; each with its first line's number.
struct Piece {
  std::string sql;
  int line = 1;
  bool vertical = false;
};
std::vector<Piece> SplitStatements(absl::string_view script) {
  std::vector<Piece> out;
  Piece cur;
  int line = 1;
  char quote = 0;
  bool started = false;
  auto flush = [&](bool vertical) {
    cur.vertical = vertical;
    if (!absl::StripAsciiWhitespace(cur.sql).empty()) out.push_back(cur);
    cur = Piece();
    started = false;
  };
  for (size_t i = 0; i < script.size(); ++i) {
    const char c = script[i];
    if (!started && !absl::ascii_isspace(c)) {
      started = true;
      cur.line = line;
    }
    if (c == '\n') ++line;
    if (quote != 0) {
      cur.sql += c;
      if (c == '\\' && i + 1 < script.size()) {
        cur.sql += script[++i];
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') quote = c;
    if (c == ';') {
      flush(false);
      continue;
    }
    if (c == '\\' && i + 1 < script.size() && (script[i + 1] == 'G' || script[i + 1] == 'g')) {
      flush(script[i + 1] == 'G');
      ++i;
      continue;
    }
    cur.sql += c;
  }
  flush(false);
  return out;
}

}  // namespace

MysqlResult RunMysql(const std::vector<std::string>& args, const std::string& input,
                     const std::string& root_password, const std::string& now) {
  MysqlResult res;
  std::string user = "root", host = "localhost", database, execute;
  std::optional<std::string> password;
  bool have_execute = false, skip_names = false;
  int silent = 0;
  Format format = Format::kBatch;
  auto unknown = [&](const std::string& option) {
    res.err = absl::StrCat("mysql: [ERROR] unknown option '", option, "'\n");
    res.exit_code = 7;
    return res;
  };
  std::vector<std::string> positional;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& rest, std::string* out) {
      if (!rest.empty()) {
        *out = rest;
      } else if (i + 1 < args.size()) {
        *out = args[++i];
      }
    };
    if (absl::StartsWith(a, "--")) {
      const size_t eq = a.find('=');
      const std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const std::string v = eq == std::string::npos ? "" : a.substr(eq + 1);
      std::string taken = v;
      auto take = [&] {
        if (eq == std::string::npos && i + 1 < args.size()) taken = args[++i];
      };
      if (name == "user") {
        take();
        user = taken;
      } else if (name == "password") {
        password = v;  // --password without a value would prompt: no terminal, so empty.
      } else if (name == "host") {
        take();
        host = taken;
      } else if (name == "database") {
        take();
        database = taken;
      } else if (name == "execute") {
        take();
        execute = taken;
        have_execute = true;
      } else if (name == "port" || name == "protocol" || name == "default-character-set" ||
                 name == "socket") {
        take();
      } else if (name == "skip-column-names" || name == "column-names=0") {
        skip_names = true;
      } else if (name == "silent") {
        ++silent;
      } else if (name == "batch" || name == "raw" || name == "no-auto-rehash" ||
                 name == "skip-auto-rehash" || name == "quick" || name == "force") {
      } else if (name == "table") {
        format = Format::kTable;
      } else if (name == "vertical") {
        format = Format::kVertical;
      } else {
        return unknown(a);
      }
      continue;
    }
    if (absl::StartsWith(a, "-") && a.size() > 1) {
      for (size_t k = 1; k < a.size(); ++k) {
        const char f = a[k];
        const std::string rest = a.substr(k + 1);
        if (f == 'u' || f == 'h' || f == 'D' || f == 'e' || f == 'P' || f == 'S') {
          std::string v;
          value(rest, &v);
          if (f == 'u') user = v;
          if (f == 'h') host = v;
          if (f == 'D') database = v;
          if (f == 'e') {
            execute = v;
            have_execute = true;
          }
          break;
        }
        if (f == 'p') {
          password = rest;  // -p alone would prompt: no terminal, so empty.
          break;
        }
        if (f == 'N') {
          skip_names = true;
        } else if (f == 's') {
          ++silent;
        } else if (f == 't') {
          format = Format::kTable;
        } else if (f == 'E') {
          format = Format::kVertical;
        } else if (f == 'B' || f == 'A' || f == 'r' || f == 'q' || f == 'f') {
        } else {
          return unknown(std::string("-") + f);
        }
      }
      continue;
    }
    positional.push_back(a);
  }
  if (!positional.empty() && database.empty()) database = positional[0];
  if (password.has_value() && !password->empty()) {
    res.err = "mysql: [Warning] Using a password on the command line interface can be insecure.\n";
  }
  static constexpr absl::string_view kHosts[] = {"localhost",
                                                 "127.0.0.1",
                                                 "catalogue-db",
                                                 "catalogue-db.sock-shop",
                                                 "catalogue-db.sock-shop.svc",
                                                 "catalogue-db.sock-shop.svc.cluster.local"};
  if (std::find(std::begin(kHosts), std::end(kHosts), host) == std::end(kHosts)) {
    absl::StrAppend(&res.err, "ERROR 2005 (HY000): Unknown MySQL server host '", host, "' (-2)\n");
    res.exit_code = 1;
    return res;
  }
  const std::string pw = password.value_or("");
  const bool ok = (user == "root" && pw == root_password && !root_password.empty()) ||
                  (user == "catalogue_user" && pw == "default_password");
  if (!ok) {
    absl::StrAppend(&res.err, "ERROR 1045 (28000): Access denied for user '", user, "'@'",
                    host == "localhost" ? "localhost" : "127.0.0.1",
                    "' (using password: ", pw.empty() ? "NO" : "YES", ")\n");
    res.exit_code = 1;
    return res;
  }
  Session session(user, "");
  session.now = now;
  if (!database.empty()) {
    if (!session.KnowsDatabase(database)) {
      absl::StrAppend(&res.err, "ERROR 1049 (42000): Unknown database '", database, "'\n");
      res.exit_code = 1;
      return res;
    }
    session.set_db(database);
  }
  const bool headers = !skip_names && silent < 2;
  for (const Piece& p : SplitStatements(have_execute ? execute : input)) {
    Statement st(&session, p.sql);
    SqlError error;
    std::optional<Result> r = st.Run(&error);
    if (!r.has_value()) {
      absl::StrAppend(&res.err, "ERROR ", error.code, " (", error.state, ") at line ", p.line, ": ",
                      error.message, "\n");
      res.exit_code = 1;
      return res;
    }
    Print(*r, p.vertical ? Format::kVertical : format, headers, &res.out);
    if (res.out.size() > (size_t{4} << 20)) break;
  }
  return res;
}

}  // namespace sim
}  // namespace sre_eval
