#pragma once
// One blocking HTTP request for the CLI and scripts: runs a private io_context and Client.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/client.h"

namespace mlfaas::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// `url` must be http://host[:port][/path][?query]; anything else throws std::invalid_argument.
// Network failures are reported in the result, as with Client::request().
ClientResult fetch(std::string_view url, Verb method = Verb::get, std::string body = {},
                   const HeaderList& headers = {}, std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace mlfaas::http
