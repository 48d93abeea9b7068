// The simulated mysql client in catalogue-db (sim/shop/mysql_shell.h): options, the SQL subset
// over socksdb as the image's dump.sql fills it, the client's output formats and MySQL's
// own error texts.
#include "sim/shop/mysql_shell.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace sre_eval {
namespace sim {
namespace {

constexpr char kWarning[] =
    "mysql: [Warning] Using a password on the command line interface can be insecure.\n";

MysqlResult Sql(std::vector<std::string> options, const std::string& sql) {
  std::vector<std::string> args = {"mysql", "-uroot", "-pfake_password"};
  args.insert(args.end(), options.begin(), options.end());
  args.push_back("-e");
  args.push_back(sql);
  return RunMysql(args, "", "fake_password", "2026-12-07 09:00:00");
}

TEST(MysqlShellTest, AnswersTheCataloguesQueriesInBatchFormat) {
  struct Case {
    std::vector<std::string> options;
    std::string sql;
    std::string out;
  };
  const Case cases[] = {
      {{"socksdb"}, "select count(*) from sock", "count(*)\n9\n"},
      {{}, "SELECT COUNT(*) AS n FROM socksdb.sock WHERE price > 15", "n\n3\n"},
      {{"-D", "socksdb", "-N"},
       "select name, price from sock where name like 'c%' order by price desc",
       "Colourful\t18\nCrossed\t17.32\nCat socks\t15\nClassic\t12\n"},
      {{},
       "show databases",
       "Database\ninformation_schema\nmysql\nperformance_schema\nsocksdb\nsys\n"},
      {{"socksdb"}, "use socksdb; show tables", "Tables_in_socksdb\nsock\nsock_tag\ntag\n"},
      {{"socksdb"},
       "select name from tag where tag_id in (1, 11) or name = 'GEEK' order by 1",
       "name\nbrown\ngeek\ngreen\n"},
      {{"socksdb"},
       "select sum(count), min(price), max(name), avg(count) from sock",
       "sum(count)\tmin(price)\tmax(name)\tavg(count)\n4023\t7.99\tYouTube.sock\t447.0000\n"},
      {{"socksdb", "-ss"},
       "select count(*) from sock_tag where sock_id = "
       "'808a2de1-1aaa-4c25-a9b9-6612e8f29a38'",
       "4\n"},
      {{"socksdb"},
       "select sock_id from sock order by count limit 1, 2",
       "sock_id\na0a4f044-b040-410d-8ead-4de0446aec7e\nzzz4f044-b040-410d-8ead-4de0446aec7e\n"},
      {{"socksdb"},
       "select count(*) from sock where not (price >= 15 and count > 500)",
       "count(*)\n7\n"},
      {{},
       "select 1; select database(), now()",
       "1\n1\ndatabase()\tnow()\nNULL\t2026-12-07 09:00:00\n"},
      {{"socksdb"}, "select name from sock where price > 1000", ""},
      {{"socksdb", "-N"},
       "select name from sock where name like '_oly' or name like '%tube.%'",
       "Holy\nYouTube.sock\n"},
  };
  for (const Case& c : cases) {
    MysqlResult r = Sql(c.options, c.sql);
    EXPECT_EQ(r.out, c.out) << c.sql;
    EXPECT_EQ(r.err, kWarning) << c.sql;
    EXPECT_EQ(r.exit_code, 0) << c.sql;
  }
}

TEST(MysqlShellTest, TableAndVerticalFormats) {
  EXPECT_EQ(Sql({"-t", "socksdb"}, "select name, count from sock where count < 130").out,
            "+----------+-------+\n"
            "| name     | count |\n"
            "+----------+-------+\n"
            "| Holy     |     1 |\n"
            "| Nerd leg |   115 |\n"
            "| Classic  |   127 |\n"
            "+----------+-------+\n");
  EXPECT_EQ(Sql({"socksdb"}, "select tag_id, name from tag where tag_id = 2\\G").out,
            "*************************** 1. row ***************************\n"
            "tag_id: 2\n"
            "  name: geek\n");
}

TEST(MysqlShellTest, ErrorsAreMysqlsOwn) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
    int code;
  };
  const std::string w = kWarning;
  const Case cases[] = {
      {{"mysql", "-uroot", "-pnope", "-e", "select 1"},
       w + "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)\n",
       1},
      {{"mysql", "-e", "select 1"},
       "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: NO)\n",
       1},
      {{"mysql", "-uroot", "-pfake_password", "nosuch", "-e", "select 1"},
       w + "ERROR 1049 (42000): Unknown database 'nosuch'\n",
       1},
      {{"mysql", "-uroot", "-pfake_password", "-e", "select count(*) from sock"},
       w + "ERROR 1046 (3D000) at line 1: No database selected\n",
       1},
      {{"mysql", "-uroot", "-pfake_password", "socksdb", "-e",
        "select * from sock limit 0;\nselect * from socks"},
       w + "ERROR 1146 (42S02) at line 2: Table 'socksdb.socks' doesn't exist\n",
       1},
      {{"mysql", "-uroot", "-pfake_password", "socksdb", "-e", "select colour from sock"},
       w + "ERROR 1054 (42S22) at line 1: Unknown column 'colour' in 'field list'\n",
       1},
      {{"mysql", "-uroot", "-pfake_password", "socksdb", "-e", "select * from sock where"},
       w + "ERROR 1064 (42000) at line 1: You have an error in your SQL syntax; check the manual "
           "that corresponds to your MySQL server version for the right syntax to use near '' "
           "at line 1\n",
       1},
      {{"mysql", "-uroot", "-pfake_password", "socksdb", "-e",
        "select tag_id, count(*) from sock_tag"},
       w + "ERROR 1140 (42000) at line 1: In aggregated query without GROUP BY, expression #1 of "
           "SELECT list contains nonaggregated column 'socksdb.sock_tag.tag_id'; this is "
           "incompatible with sql_mode=only_full_group_by\n",
       1},
      {{"mysql", "-uroot", "-pfake_password", "socksdb", "-e",
        "select tag_id, count(*) from sock_tag group by tag_id"},
       w + "ERROR 1235 (42000) at line 1: This version of MySQL doesn't yet support 'GROUP in the "
           "simulated catalogue-db'\n",
       1},
      {{"mysql", "-uroot", "-pfake_password", "socksdb", "-e", "update sock set count = 0"},
       w + "ERROR 1235 (42000) at line 1: This version of MySQL doesn't yet support 'UPDATE (the "
           "database is read-only) in the simulated catalogue-db'\n",
       1},
      {{"mysql", "-h", "orders-db", "-uroot", "-pfake_password"},
       w + "ERROR 2005 (HY000): Unknown MySQL server host 'orders-db' (-2)\n",
       1},
      {{"mysql", "--frobnicate"}, "mysql: [ERROR] unknown option '--frobnicate'\n", 7},
  };
  for (const Case& c : cases) {
    MysqlResult r = RunMysql(c.args, "", "fake_password", "2026-12-07 09:00:00");
    EXPECT_EQ(r.out, "") << c.args.back();
    EXPECT_EQ(r.err, c.err) << c.args.back();
    EXPECT_EQ(r.exit_code, c.code) << c.args.back();
  }
}

// Statements on stdin, and the catalogue's own user, who sees only its database.
TEST(MysqlShellTest, ReadsStdinAndKnowsTheCataloguesUser) {
  MysqlResult r = RunMysql(
      {"mysql", "--user=catalogue_user", "--password=default_password", "--database=socksdb"},
      "show databases;\nselect count(*) from tag;\n", "fake_password", "");
  EXPECT_EQ(r.out, "Database\ninformation_schema\nsocksdb\ncount(*)\n11\n");
  EXPECT_EQ(r.exit_code, 0);
}

}  // namespace
}  // namespace sim
}  // namespace sre_eval
