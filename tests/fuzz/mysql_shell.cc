// Fuzzes the simulated mysql client of catalogue-db (sim/shop/mysql_shell.h): each input is a
// script of SQL statements, run with -e and again on stdin in table format. The tokenizer,
// the parser of the SQL subset and the output formats must answer without crashing, with
// exit code 0 or 1 and bounded output.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "sim/shop/mysql_shell.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sre_eval::sim::MysqlResult;
  using sre_eval::sim::RunMysql;
  if (size > 4096) return 0;
  const std::string sql(sre_eval::fuzz::AsText(data, size));
  MysqlResult a = RunMysql({"mysql", "-uroot", "-ppw", "socksdb", "-e", sql}, "", "pw", "now");
  FUZZ_CHECK(a.exit_code == 0 || a.exit_code == 1);
  FUZZ_CHECK(a.out.size() <= (size_t{5} << 20));
  MysqlResult b = RunMysql({"mysql", "-t", "--user=root", "--password=pw"}, sql, "pw", "now");
  FUZZ_CHECK(b.exit_code == 0 || b.exit_code == 1);
  return 0;
}
