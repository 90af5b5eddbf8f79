#pragma once
// The current time as an HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT"), formatted at most once per
// second per thread since every response carries one.
#include <string_view>

namespace mlfaas::http {

// Valid until the calling thread's next call.
std::string_view http_date_now();

}  // namespace mlfaas::http
