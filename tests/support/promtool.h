#pragma once
// `promtool check metrics` on an exposition text, and which of its lint findings are expected: the
// names kept because other projects' dashboards and rules query them (OpenFaaS's gateway, Knative's
// queue-proxy, Triton) break Prometheus' naming conventions on purpose.
#include <optional>
#include <string>
#include <vector>

namespace mlfaas::test {

bool have_promtool();
// promtool's output lines (lint findings, or parse errors); nullopt if it could not run.
std::optional<std::vector<std::string>> promtool_check_metrics(const std::string& exposition);
// A finding about one of those borrowed names.
bool borrowed_name_finding(const std::string& line);

}  // namespace mlfaas::test
