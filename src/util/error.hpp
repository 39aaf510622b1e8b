// The one error type modspec throws for bad input: its message is a single line meant for
// the user (it names the file, key or value at fault); the CLI prints it and exits 1.
#pragma once
#include <stdexcept>
#include <string>

namespace modspec {

struct Error : std::runtime_error {
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace modspec
