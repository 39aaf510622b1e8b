#include "cli/app.hpp"

#include <iostream>

#include "runtime/provenance.hpp"
#include "util/error.hpp"
#include "util/progress.hpp"

namespace modspec::cli {

void add_common_options(CLI::App& app) {
  app.require_subcommand(1);
  app.set_version_flag("--version", version_line());
  // Set as soon as it is read, before any subcommand runs; it may also follow the subcommand.
  app.add_flag_callback("--quiet,-q", [] { Progress::set_quiet(true); },
                        "no progress and no stage lines on stderr (errors and results still print)")
      ->trigger_on_parse();
  app.fallthrough();
}

int run_app(CLI::App& app, int argc, char** argv, const std::function<std::string(const std::exception&)>& describe) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::cerr << "modspec: " << e.what() << " (see --help)\n";
    return 2;
  } catch (const Error& e) {
    std::cerr << "modspec: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "modspec: " << (describe ? describe(e) : std::string(e.what())) << "\n";
    return 1;
  }
  return 0;
}

}  // namespace modspec::cli
