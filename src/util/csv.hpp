// The one CSV format modspec writes and reads: a header row, comma-separated fields, a field
// quoted only when it holds a comma, a quote or a newline. Numbers carry 8 significant digits;
// "NaN" is a value that is not a number (a 0/0 of the ratio formula), "Inf" and "-Inf" infinite
// ones, and an empty field a value that is missing (a baseline that was not asked for): pandas'
// read_csv and R's read.csv read all of them as numbers without options.
#pragma once
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

namespace modspec {

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  // The column index of a name, or throws an Error naming it.
  size_t column(const std::string& name) const;
  bool has(const std::string& name) const;
};

std::string csv_number(double value);
// A value that may be missing: empty when `present` is false.
inline std::string csv_number_or_empty(double value, bool present) { return present ? csv_number(value) : ""; }

std::string to_csv(const Table& table);
// Throws an Error naming the file when it cannot be read, is empty, does not end with a newline
// (cut short) or has a row of another width.
Table read_csv(const std::filesystem::path& file);
// The same for text already read from `file`.
Table parse_csv(const std::string& text, const std::filesystem::path& file);

}  // namespace modspec
