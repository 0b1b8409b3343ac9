#include "causeway/core/error.hpp"

namespace causeway {

std::string_view code_name(Code c) noexcept {
  switch (c) {
#define CAUSEWAY_X(name, str, doc) \
  case Code::name:                 \
    return str;
    CAUSEWAY_ERROR_CODES(CAUSEWAY_X)
#undef CAUSEWAY_X
  }
  return "ERR_UNKNOWN";
}

std::string_view code_doc(Code c) noexcept {
  switch (c) {
#define CAUSEWAY_X(name, str, doc) \
  case Code::name:                 \
    return doc;
    CAUSEWAY_ERROR_CODES(CAUSEWAY_X)
#undef CAUSEWAY_X
  }
  return "";
}

}  // namespace causeway
