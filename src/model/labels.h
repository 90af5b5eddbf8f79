#pragma once
// labels.txt / synsets.txt: one entry per line, in output order.
#include <string>
#include <vector>

namespace mlfaas::model {

// Reads non-empty-trailing lines (a final newline is optional; CRLF tolerated). Throws
// std::runtime_error naming the file when it cannot be read.
std::vector<std::string> read_lines_file(const std::string& path);

}  // namespace mlfaas::model
