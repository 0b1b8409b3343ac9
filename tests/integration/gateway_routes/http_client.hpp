// A minimal synchronous HTTP/1.1 client for the gateway route tests (Boost.Beast lives in http_client.cpp
// only, DESIGN.md rule 6). One request per connection.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace causeway::test {

struct HttpResult {
  int status = 0;
  std::string body;
  std::string content_type;
};

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = "",
                        const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace causeway::test
