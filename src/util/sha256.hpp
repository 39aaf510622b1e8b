// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits: the fingerprint each run
// records of its artefacts (summary.json, metrics.json) and checks before it trusts a file.
#pragma once
#include <string>
#include <string_view>

namespace modspec {

std::string sha256_hex(std::string_view bytes);

}  // namespace modspec
