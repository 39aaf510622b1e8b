// The sweep files of configs/reproduce/, embedded at build time: name (e.g. "fig2-quick") -> text.
#pragma once
#include <map>
#include <string>

namespace modspec {

const std::map<std::string, std::string>& reproduce_configs();

}  // namespace modspec
