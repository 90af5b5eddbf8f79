#include "inference/onnx_loader.h"

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

namespace mlfaas::inference {
namespace {

Constant to_constant(const onnx::TensorProto& t) {
  Constant c;
  for (auto d : t.dims()) c.dims.push_back(d);
  const int64_t n = element_count(c.dims);
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    throw ModelError(fmt::format("initializer '{}' uses external data, which is not supported", t.name()));
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      if (t.has_raw_data()) {
        if (int64_t(t.raw_data().size()) != n * 4)
          throw ModelError(fmt::format("initializer '{}' has {} bytes, expected {}", t.name(),
                                       t.raw_data().size(), n * 4));
        c.f.resize(n);
        std::memcpy(c.f.data(), t.raw_data().data(), n * 4);
      } else {
        if (t.float_data_size() != n)
          throw ModelError(fmt::format("initializer '{}' has {} floats, expected {}", t.name(),
                                       t.float_data_size(), n));
        c.f.assign(t.float_data().begin(), t.float_data().end());
      }
      break;
    case onnx::TensorProto::INT64:
      if (t.has_raw_data()) {
        c.i64.resize(n);
        if (int64_t(t.raw_data().size()) != n * 8)
          throw ModelError(fmt::format("initializer '{}' has a bad size", t.name()));
        std::memcpy(c.i64.data(), t.raw_data().data(), n * 8);
      } else {
        c.i64.assign(t.int64_data().begin(), t.int64_data().end());
      }
      break;
    case onnx::TensorProto::INT32:
      if (t.has_raw_data()) {
        std::vector<int32_t> v(n);
        if (int64_t(t.raw_data().size()) != n * 4)
          throw ModelError(fmt::format("initializer '{}' has a bad size", t.name()));
        std::memcpy(v.data(), t.raw_data().data(), n * 4);
        c.i64.assign(v.begin(), v.end());
      } else {
        c.i64.assign(t.int32_data().begin(), t.int32_data().end());
      }
      break;
    default:
      throw ModelError(fmt::format("initializer '{}' has ONNX data type {}, only FLOAT, INT64 and "
                                   "INT32 are supported",
                                   t.name(), t.data_type()));
  }
  if (c.is_float() && int64_t(c.f.size()) != n)
    throw ModelError(fmt::format("initializer '{}' has a bad size", t.name()));
  return c;
}

Dims value_dims(const onnx::ValueInfoProto& v) {
  Dims d;
  if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return d;
  for (auto& dim : v.type().tensor_type().shape().dim())
    d.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
  return d;
}

AttrValue to_attr(const onnx::AttributeProto& a, const std::string& where) {
  switch (a.type()) {
    case onnx::AttributeProto::INT: return a.i();
    case onnx::AttributeProto::FLOAT: return a.f();
    case onnx::AttributeProto::STRING: return a.s();
    case onnx::AttributeProto::INTS: return std::vector<int64_t>(a.ints().begin(), a.ints().end());
    case onnx::AttributeProto::FLOATS: return std::vector<float>(a.floats().begin(), a.floats().end());
    default:
      throw ModelError(fmt::format("{}attribute '{}' has an unsupported type ({})", where, a.name(),
                                   int(a.type())));
  }
}

}  // namespace

Graph load_onnx_bytes(std::string_view bytes, const std::string& what) {
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromArray(bytes.data(), int(bytes.size())))
    throw ModelError(what + " is not a valid ONNX protobuf");
  if (!model.has_graph()) throw ModelError(what + " has no graph");
  Graph g;
  const auto& gp = model.graph();
  g.name = gp.name();
  for (auto& op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") g.opset = op.version();

  for (auto& init : gp.initializer()) g.constants.emplace(init.name(), to_constant(init));
  for (auto& in : gp.input())
    if (!g.constants.count(in.name())) g.inputs.push_back({in.name(), value_dims(in)});
  for (auto& out : gp.output()) g.outputs.push_back({out.name(), value_dims(out)});

  int index = 0;
  for (auto& np : gp.node()) {
    Node n;
    n.op = np.op_type();
    n.name = np.name().empty() ? fmt::format("{}_{}", n.op, index) : np.name();
    ++index;
    if (!np.domain().empty() && np.domain() != "ai.onnx")
      throw ModelError(fmt::format("{}custom domain '{}' is not supported", n.where(), np.domain()));
    n.inputs.assign(np.input().begin(), np.input().end());
    n.outputs.assign(np.output().begin(), np.output().end());
    for (auto& a : np.attribute()) n.attrs.emplace(a.name(), to_attr(a, n.where()));
    if (n.op == "Constant") {  // fold Constant nodes into initializers
      for (auto& a : np.attribute())
        if (a.name() == "value" && a.type() == onnx::AttributeProto::TENSOR)
          g.constants.emplace(n.outputs.at(0), to_constant(a.t()));
      if (!g.constants.count(n.outputs.at(0)))
        throw ModelError(n.where() + "only 'value' tensors are supported");
      continue;
    }
    g.nodes.push_back(std::move(n));
  }

  // ONNX requires topological order; verify so later passes can rely on it.
  std::set<std::string> known;
  for (auto& in : g.inputs) known.insert(in.name);
  for (auto& [name, c] : g.constants) known.insert(name);
  for (auto& n : g.nodes) {
    for (auto& in : n.inputs)
      if (!in.empty() && !known.count(in))
        throw ModelError(fmt::format("{}input '{}' is not produced before it is used", n.where(), in));
    for (auto& o : n.outputs) known.insert(o);
  }
  for (auto& o : g.outputs)
    if (!known.count(o.name)) throw ModelError("graph output '" + o.name + "' is never produced");
  if (g.inputs.size() != 1)
    throw ModelError(fmt::format("{} has {} inputs; image classifiers with exactly one input are supported",
                                 what, g.inputs.size()));
  return g;
}

Graph load_onnx_file(const std::string& path) {
  // mmap instead of reading into a buffer: the file is parsed once, so copying 14 MB first only
  // costs page faults (it was a third of the model load time).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ModelError("cannot open model file " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size == 0) {
    ::close(fd);
    throw ModelError(path + " is empty or unreadable");
  }
  void* p = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) throw ModelError("cannot map model file " + path + ": " + std::strerror(errno));
  try {
    Graph g = load_onnx_bytes(std::string_view(static_cast<const char*>(p), size_t(st.st_size)), path);
    ::munmap(p, size_t(st.st_size));
    return g;
  } catch (...) {
    ::munmap(p, size_t(st.st_size));
    throw;
  }
}

}  // namespace mlfaas::inference
