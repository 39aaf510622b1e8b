# Writes OUT (a C++ file defining modspec::build_version() and modspec::build_commit()) from the
# project version and the source's git commit, at every build, and touches it only when its text
# changes, so an unchanged commit recompiles nothing. Run as
#   cmake -DVERSION=x.y.z -DSOURCE_DIR=... -DOUT=... -P build_info.cmake
set(commit "unknown")
find_program(GIT git)
if(GIT AND EXISTS "${SOURCE_DIR}/.git")
  execute_process(COMMAND ${GIT} -C "${SOURCE_DIR}" describe --always --dirty --abbrev=12
                  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE failed)
  if(failed)
    set(commit "unknown")
  endif()
endif()
set(text "#include \"runtime/provenance.hpp\"\n\nnamespace modspec {\n\n"
         "const char* build_version() { return \"${VERSION}\"; }\n"
         "const char* build_commit() { return \"${commit}\"; }\n\n}  // namespace modspec\n")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
