// `mysql` as `kubectl exec` runs it in catalogue-db (MySQL 5.7's client and server, without a
// terminal): the options SRE agents pass (-u, -p, -h, -P, -D, -e, -N, -s, -B, -t, -E, a
// database argument, statements on stdin), and a small SQL subset over the catalogue's
// database `socksdb` as the catalogue-db image's dump.sql fills it (tables sock, tag,
// sock_tag). Statements:
//   SHOW DATABASES; SHOW TABLES [FROM db]; USE db; DESCRIBE|DESC|SHOW COLUMNS FROM table;
//   SELECT DATABASE(), VERSION(), NOW(); SELECT list FROM [db.]table [WHERE cond]
//   [ORDER BY col [ASC|DESC], ...] [LIMIT n | LIMIT offset, n | LIMIT n OFFSET offset]
//   where list is `*` or columns and aggregates (COUNT(*), COUNT(col), SUM, MIN, MAX, AVG),
//   each with an optional alias, and cond compares columns with literals (= != <> < > <= >=,
//   LIKE, IN (...), IS [NOT] NULL) joined by AND, OR, NOT and parentheses.
// Output as the client prints it: tab-separated with a header line (escaped \t \n \\ and
// NULL), `-t` as a table, `-E` vertically; errors as `ERROR 1146 (42S02) at line 1: ...`,
// exit 1. Anything outside the subset (joins, GROUP BY, writes) is refused with MySQL's
// "doesn't yet support" error naming the simulation, never answered wrongly.
#ifndef SRE_EVAL_SIM_SHOP_MYSQL_SHELL_H_
#define SRE_EVAL_SIM_SHOP_MYSQL_SHELL_H_

#include <string>
#include <vector>

namespace sre_eval {
namespace sim {

struct MysqlResult {
  std::string out;
  std::string err;
  int exit_code = 0;
};

// Runs the client with `args` (args[0] is "mysql") and `input` on stdin, against the
// catalogue's database; `root_password` is the container's MYSQL_ROOT_PASSWORD, `now` the
// clock's "YYYY-MM-DD HH:MM:SS" for NOW().
MysqlResult RunMysql(const std::vector<std::string>& args, const std::string& input,
                     const std::string& root_password, const std::string& now);

}  // namespace sim
}  // namespace sre_eval

#endif  // SRE_EVAL_SIM_SHOP_MYSQL_SHELL_H_
