// How every CSV modspec writes spells its numbers, so pandas (read_csv) and R (read.csv) read
// them as numbers without options: 8 significant digits, "NaN" for a value that is not a number
// (a 0/0 of the ratio formula), "Inf" and "-Inf", and an empty field for a value that is missing
// (a null baseline that was not asked for).
#pragma once
#include <cmath>
#include <string>

namespace modspec {

std::string csv_number(double value);

// A value that may be missing: empty when `present` is false.
inline std::string csv_number_or_empty(double value, bool present) { return present ? csv_number(value) : ""; }

}  // namespace modspec
