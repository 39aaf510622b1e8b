#include "report/gnuplot.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <sys/wait.h>

#include "util/error.hpp"

namespace modspec {

std::string gnuplot_terminal(int64_t width, int64_t height, int64_t font_size) {
  const std::string size = " size " + std::to_string(width) + "," + std::to_string(height) + " font 'sans," +
                           std::to_string(font_size) + "'";
  return "if (fmt eq \"png\") { set terminal pngcairo" + size + " } else { set terminal svg" + size + " }\n";
}

std::string gnuplot_pictures_begin(const std::string& name, const std::vector<std::string>& words, int64_t width,
                                   int64_t height) {
  std::string script = "pictures = \"";
  for (size_t i = 0; i < words.size(); ++i) script += (i ? " " : "") + words[i];
  script += "\"\ndo for [m = 1:words(pictures)] {\n"
            "  metric = word(pictures, m)\n"
            "  stem = (m == 1) ? '" + name + "' : '" + name + "-'.metric\n"
            "  do for [fmt in \"png svg\"] {\n"
            "    " + gnuplot_terminal(width, height, 10) +
            "    set output stem.'.'.fmt\n";
  return script;
}

std::string gnuplot_number(double x) {
  if (std::isnan(x)) return "NaN";
  std::ostringstream s;
  s << x;
  return s.str();
}

std::string gnuplot_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void run_gnuplot(const std::filesystem::path& script) {
  const auto dir = script.has_parent_path() ? script.parent_path() : std::filesystem::path(".");
  const std::string cmd = "cd '" + dir.string() + "' && gnuplot '" + script.filename().string() + "' 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) throw Error("cannot start gnuplot");
  std::string output;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe)) output += buf;
  const int status = ::pclose(pipe);
  if (status != 0) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
      throw Error("gnuplot not found: install Debian's gnuplot-nox (bash scripts/setup.sh does)");
    const auto nl = output.find_last_not_of('\n');
    std::string last = output.substr(0, nl == std::string::npos ? 0 : nl + 1);
    if (auto p = last.rfind('\n'); p != std::string::npos) last = last.substr(p + 1);
    throw Error(script.string() + ": gnuplot failed: " + last);
  }
}

}  // namespace modspec
