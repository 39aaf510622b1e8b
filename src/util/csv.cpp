#include "util/csv.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "util/error.hpp"
#include "util/read_file.hpp"

namespace modspec {
namespace {

std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') cur += '"', ++i;
      else if (c == '"') quoted = false;
      else cur += c;
    } else if (c == '"') quoted = true;
    else if (c == ',') out.push_back(cur), cur.clear();
    else cur += c;
  }
  out.push_back(cur);
  return out;
}

}  // namespace

bool Table::has(const std::string& name) const {
  return std::find(columns.begin(), columns.end(), name) != columns.end();
}

size_t Table::column(const std::string& name) const {
  auto it = std::find(columns.begin(), columns.end(), name);
  if (it == columns.end()) throw Error("table has no column '" + name + "'");
  return size_t(it - columns.begin());
}

std::string csv_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.8g", value);
  return buf;
}

std::string to_csv(const Table& table) {
  std::ostringstream out;
  for (size_t i = 0; i < table.columns.size(); ++i) out << (i ? "," : "") << field(table.columns[i]);
  out << "\n";
  for (const auto& row : table.rows) {
    for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << field(row[i]);
    out << "\n";
  }
  return out.str();
}

Table read_csv(const std::filesystem::path& file) { return parse_csv(read_file(file), file); }

Table parse_csv(const std::string& text, const std::filesystem::path& file) {
  if (text.empty()) throw Error(file.string() + ": empty CSV");
  // modspec ends every line it writes, the last included: a file that does not end so was cut short.
  if (text.back() != '\n') throw Error(file.string() + ": cut short (its last line is incomplete)");
  std::istringstream in(text);
  Table t;
  std::string line;
  std::getline(in, line);
  t.columns = split_csv_line(line);
  while (std::getline(in, line))
    if (!line.empty()) {
      t.rows.push_back(split_csv_line(line));
      if (t.rows.back().size() != t.columns.size())
        throw Error(file.string() + ": a row has " + std::to_string(t.rows.back().size()) + " fields, the header " +
                    std::to_string(t.columns.size()));
    }
  return t;
}

}  // namespace modspec
