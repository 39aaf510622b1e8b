#include "cli/command_list.hpp"
#include "cli/commands.hpp"

namespace modspec::cli {

void ConfigOptions::add_to(CLI::App& app, bool config_positional) {
  if (config_positional) app.add_option("config", config_file, "TOML config file (see `modspec config`)")->required();
  else app.add_option("--config", config_file, "TOML config file (default: built-in defaults)");
  app.add_option("--set", overrides, "override a config key, e.g. --set model.n=25 (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--data-dir", data_dir, "dataset directory (default: $MODSPEC_DATA or ~/.cache/modspec)");
}

Config ConfigOptions::resolve() const { return Config::resolve(config_file, overrides, data_dir); }

void add_config_command(CLI::App& app) {
  auto* cmd = add_command(app, "config");
  auto opts = std::make_shared<ConfigOptions>();
  opts->add_to(*cmd, false);
  cmd->callback([opts]() { std::cout << opts->resolve().to_toml(true); });
}

}  // namespace modspec::cli
