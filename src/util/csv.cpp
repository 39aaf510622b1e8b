#include "util/csv.hpp"

#include <cstdio>

namespace modspec {

std::string csv_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.8g", value);
  return buf;
}

}  // namespace modspec
