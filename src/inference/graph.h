#pragma once
// The engine's own graph IR: what we keep of an ONNX model after loading. Plain data, no protobuf,
// so graph passes, shape inference, the reference interpreter and the oneDNN planner share it.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace mlfaas::inference {

using Dims = std::vector<int64_t>;

int64_t element_count(const Dims& d);
std::string dims_str(const Dims& d);

// A load-time or plan-time error about the model (unsupported op/shape, bad attribute). The message
// always names the node and op so a user can find it in Netron.
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using AttrValue = std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>>;

struct Node {
  std::string name;  // ONNX node name, or "<op>_<index>" when the model has none
  std::string op;    // ONNX op_type, or an mlfaas-internal fused op
  std::vector<std::string> inputs;   // "" = omitted optional input
  std::vector<std::string> outputs;
  std::map<std::string, AttrValue> attrs;

  bool has(const std::string& a) const { return attrs.count(a) != 0; }
  int64_t i(const std::string& a, int64_t def) const;
  float f(const std::string& a, float def) const;
  std::string s(const std::string& a, const std::string& def) const;
  std::vector<int64_t> ints(const std::string& a, std::vector<int64_t> def = {}) const;
  // "node 'name' (Op): " prefix for errors.
  std::string where() const;
};

// A constant tensor (initializer). Float tensors use `f`; INT64/INT32 tensors (shapes) use `i64`.
struct Constant {
  Dims dims;
  std::vector<float> f;
  std::vector<int64_t> i64;
  bool is_float() const { return !f.empty() || i64.empty(); }
};

struct ValueInfo {
  std::string name;
  Dims dims;  // -1 for a symbolic dimension (the batch)
};

struct Graph {
  std::string name;
  int64_t opset = 0;
  std::vector<ValueInfo> inputs;   // real inputs only (initializers removed)
  std::vector<ValueInfo> outputs;
  std::vector<Node> nodes;         // topologically sorted
  std::unordered_map<std::string, Constant> constants;

  bool is_constant(const std::string& t) const { return constants.count(t) != 0; }
  const Constant& constant(const std::string& t) const;
  // Number of nodes reading tensor `t` (graph outputs count as a reader).
  int consumers(const std::string& t) const;
};

}  // namespace mlfaas::inference
