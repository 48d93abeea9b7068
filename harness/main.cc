// sre-eval: parse the command line, call the library. Nothing else belongs here.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/exit_codes.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  try {
    return sre_eval::RunCli(args, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // The backstop: every layer returns errors as values; reaching here is a bug.
    std::cerr << "sre-eval: internal error: " << e.what() << "\n";
    return sre_eval::kExitEnvironment;
  }
}
