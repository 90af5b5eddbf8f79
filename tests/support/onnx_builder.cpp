#include "support/onnx_builder.h"

#include <onnx/onnx_pb.h>

#include <fstream>
#include <random>
#include <stdexcept>

#include "support/paths.h"

namespace mlfaas::test {

struct OnnxBuilder::Impl {
  onnx::ModelProto model;
  int nodes = 0;
};

namespace {
void set_dims(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& dims) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  auto* shape = tt->mutable_shape();
  for (auto d : dims) {
    auto* dim = shape->add_dim();
    if (d < 0) dim->set_dim_param("N");
    else dim->set_dim_value(d);
  }
}
}  // namespace

OnnxBuilder::OnnxBuilder(int64_t opset) : impl_(new Impl) {
  impl_->model.set_ir_version(7);
  impl_->model.set_producer_name("mlfaas-tests");
  auto* op = impl_->model.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  impl_->model.mutable_graph()->set_name("test");
}

OnnxBuilder::~OnnxBuilder() { delete impl_; }

void OnnxBuilder::input(const std::string& name, const std::vector<int64_t>& dims) {
  set_dims(impl_->model.mutable_graph()->add_input(), name, dims);
}

void OnnxBuilder::output(const std::string& name, const std::vector<int64_t>& dims) {
  set_dims(impl_->model.mutable_graph()->add_output(), name, dims);
}

void OnnxBuilder::initializer(const std::string& name, const std::vector<int64_t>& dims,
                              const std::vector<float>& data) {
  auto* t = impl_->model.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) t->add_dims(d);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(float)));
}

void OnnxBuilder::initializer_i64(const std::string& name, const std::vector<int64_t>& dims,
                                  const std::vector<int64_t>& data) {
  auto* t = impl_->model.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  for (auto d : dims) t->add_dims(d);
  for (auto v : data) t->add_int64_data(v);
}

void OnnxBuilder::node(const std::string& op, const std::vector<std::string>& inputs,
                       const std::vector<std::string>& outputs,
                       const std::vector<std::pair<std::string, OnnxAttr>>& attrs, const std::string& name) {
  auto* n = impl_->model.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(name.empty() ? op + "_" + std::to_string(impl_->nodes) : name);
  ++impl_->nodes;
  for (auto& i : inputs) n->add_input(i);
  for (auto& o : outputs) n->add_output(o);
  for (auto& [k, v] : attrs) {
    auto* a = n->add_attribute();
    a->set_name(k);
    if (auto* i = std::get_if<int64_t>(&v)) {
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(*i);
    } else if (auto* f = std::get_if<float>(&v)) {
      a->set_type(onnx::AttributeProto::FLOAT);
      a->set_f(*f);
    } else if (auto* s = std::get_if<std::string>(&v)) {
      a->set_type(onnx::AttributeProto::STRING);
      a->set_s(*s);
    } else if (auto* is = std::get_if<std::vector<int64_t>>(&v)) {
      a->set_type(onnx::AttributeProto::INTS);
      for (auto x : *is) a->add_ints(x);
    } else if (auto* fs = std::get_if<std::vector<float>>(&v)) {
      a->set_type(onnx::AttributeProto::FLOATS);
      for (auto x : *fs) a->add_floats(x);
    }
  }
}

std::string OnnxBuilder::serialize() const { return impl_->model.SerializeAsString(); }

void OnnxBuilder::save(const std::filesystem::path& p) const { write_binary(p, serialize()); }

std::vector<float> seeded_values(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

std::string tiny_classifier_onnx(int classes, int size, uint32_t seed) {
  OnnxBuilder b;
  b.input("input", {-1, 3, size, size});
  b.output("probabilities", {-1, classes});
  const int64_t c1 = 8, ce = 16;
  b.initializer("clip_min", {}, {0.f});
  b.initializer("clip_max", {}, {6.f});
  b.initializer("w1", {c1, 3, 3, 3}, seeded_values(c1 * 27, seed, -0.4f, 0.4f));
  b.initializer("b1", {c1}, seeded_values(c1, seed + 1, -0.1f, 0.1f));
  b.node("Conv", {"input", "w1", "b1"}, {"c1"},
         {{"kernel_shape", std::vector<int64_t>{3, 3}}, {"strides", std::vector<int64_t>{2, 2}},
          {"pads", std::vector<int64_t>{0, 0, 1, 1}}});
  b.node("Clip", {"c1", "clip_min", "clip_max"}, {"r1"});
  b.initializer("we", {ce, c1, 1, 1}, seeded_values(ce * c1, seed + 2, -0.5f, 0.5f));
  b.initializer("be", {ce}, seeded_values(ce, seed + 3, -0.1f, 0.1f));
  b.node("Conv", {"r1", "we", "be"}, {"ce"}, {{"kernel_shape", std::vector<int64_t>{1, 1}}});
  b.node("Clip", {"ce", "clip_min", "clip_max"}, {"re"});
  b.initializer("wd", {ce, 1, 3, 3}, seeded_values(ce * 9, seed + 4, -0.5f, 0.5f));
  b.initializer("bd", {ce}, seeded_values(ce, seed + 5, -0.1f, 0.1f));
  b.node("Conv", {"re", "wd", "bd"}, {"cd"},
         {{"kernel_shape", std::vector<int64_t>{3, 3}}, {"group", int64_t(ce)},
          {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  b.node("Clip", {"cd", "clip_min", "clip_max"}, {"rd"});
  b.initializer("wp", {c1, ce, 1, 1}, seeded_values(c1 * ce, seed + 6, -0.5f, 0.5f));
  b.initializer("bp", {c1}, seeded_values(c1, seed + 7, -0.1f, 0.1f));
  b.node("Conv", {"rd", "wp", "bp"}, {"cp"}, {{"kernel_shape", std::vector<int64_t>{1, 1}}});
  b.node("Add", {"cp", "r1"}, {"res"});
  b.node("GlobalAveragePool", {"res"}, {"gap"});
  b.node("Flatten", {"gap"}, {"flat"}, {{"axis", int64_t(1)}});
  b.initializer("wf", {classes, c1}, seeded_values(size_t(classes) * c1, seed + 8, -2.f, 2.f));
  b.initializer("bf", {classes}, seeded_values(classes, seed + 9, -0.5f, 0.5f));
  b.node("Gemm", {"flat", "wf", "bf"}, {"logits"}, {{"transB", int64_t(1)}});
  b.node("Softmax", {"logits"}, {"probabilities"}, {{"axis", int64_t(1)}});
  return b.serialize();
}

void write_tiny_model_dir(const std::filesystem::path& dir, int classes, int size) {
  std::filesystem::create_directories(dir);
  write_binary(dir / "model.onnx", tiny_classifier_onnx(classes, size));
  std::string labels, synsets;
  for (int i = 0; i < classes; ++i) {
    labels += "class " + std::to_string(i) + "\n";
    char buf[16];
    std::snprintf(buf, sizeof buf, "t%08d\n", i);
    synsets += buf;
  }
  write_binary(dir / "labels.txt", labels);
  write_binary(dir / "synsets.txt", synsets);
  const int resize = size * 8 / 7;
  write_binary(dir / "manifest.yaml",
               "name: tiny\nversion: \"1\"\n"
               "input:\n  name: input\n  layout: NCHW\n  height: " + std::to_string(size) +
                   "\n  width: " + std::to_string(size) +
                   "\n  color: RGB\n"
                   "preprocess:\n  resize: shorter-side-center-crop\n  resize_size: " + std::to_string(resize) +
                   "\n  scale: 0.00784313725490196\n  mean: [1.0, 1.0, 1.0]\n  std: [1.0, 1.0, 1.0]\n"
                   "output:\n  name: probabilities\n  kind: probabilities\n");
}

}  // namespace mlfaas::test
