// multipart/form-data parsing: the first line of the input is the Content-Type header, the rest
// the body. Malformed input must end in MultipartError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  std::string_view ct = nl == std::string_view::npos ? in : in.substr(0, nl);
  std::string_view body = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  try {
    auto parts = mlfaas::http::parse_multipart(ct, body);
    for (auto& p : parts) {
      // Every view must lie inside the input.
      if (!p.data.empty() && (p.data.data() < in.data() || p.data.data() + p.data.size() > in.data() + in.size()))
        __builtin_trap();
    }
    (void)mlfaas::http::find_part(parts, "file");
  } catch (const mlfaas::http::MultipartError&) {
  }
  return 0;
}
