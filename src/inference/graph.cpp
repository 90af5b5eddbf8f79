#include "inference/graph.h"

#include <fmt/format.h>

namespace mlfaas::inference {

int64_t element_count(const Dims& d) {
  int64_t n = 1;
  for (auto v : d) n *= v;
  return n;
}

std::string dims_str(const Dims& d) {
  std::string s = "[";
  for (size_t k = 0; k < d.size(); ++k) {
    if (k) s += ",";
    s += d[k] < 0 ? "N" : std::to_string(d[k]);
  }
  return s + "]";
}

int64_t Node::i(const std::string& a, int64_t def) const {
  auto it = attrs.find(a);
  if (it == attrs.end()) return def;
  if (auto* v = std::get_if<int64_t>(&it->second)) return *v;
  throw ModelError(where() + "attribute '" + a + "' is not an int");
}

float Node::f(const std::string& a, float def) const {
  auto it = attrs.find(a);
  if (it == attrs.end()) return def;
  if (auto* v = std::get_if<float>(&it->second)) return *v;
  if (auto* v = std::get_if<int64_t>(&it->second)) return float(*v);
  throw ModelError(where() + "attribute '" + a + "' is not a float");
}

std::string Node::s(const std::string& a, const std::string& def) const {
  auto it = attrs.find(a);
  if (it == attrs.end()) return def;
  if (auto* v = std::get_if<std::string>(&it->second)) return *v;
  throw ModelError(where() + "attribute '" + a + "' is not a string");
}

std::vector<int64_t> Node::ints(const std::string& a, std::vector<int64_t> def) const {
  auto it = attrs.find(a);
  if (it == attrs.end()) return def;
  if (auto* v = std::get_if<std::vector<int64_t>>(&it->second)) return *v;
  throw ModelError(where() + "attribute '" + a + "' is not a list of ints");
}

std::string Node::where() const { return fmt::format("node '{}' ({}): ", name, op); }

const Constant& Graph::constant(const std::string& t) const {
  auto it = constants.find(t);
  if (it == constants.end()) throw ModelError("tensor '" + t + "' is not a constant");
  return it->second;
}

int Graph::consumers(const std::string& t) const {
  int n = 0;
  for (auto& node : nodes)
    for (auto& in : node.inputs)
      if (in == t) ++n;
  for (auto& o : outputs)
    if (o.name == t) ++n;
  return n;
}

}  // namespace mlfaas::inference
