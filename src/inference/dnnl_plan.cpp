#include "inference/dnnl_plan.h"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "common/log.h"
#include "inference/arena_planner.h"
#include "inference/op_attrs.h"
#include "inference/shape_inference.h"

namespace mlfaas::inference {

using dnnl::memory;
using dt = memory::data_type;
using tag = memory::format_tag;

namespace {

memory::dims to_dnnl(const Dims& d) { return memory::dims(d.begin(), d.end()); }

tag plain_tag(size_t rank) {
  switch (rank) {
    case 1: return tag::a;
    case 2: return tag::ab;
    case 3: return tag::abc;
    case 4: return tag::abcd;
    case 5: return tag::abcde;
    default: throw ModelError(fmt::format("tensors of rank {} are not supported", rank));
  }
}

memory::desc plain_md(const Dims& d) { return memory::desc(to_dnnl(d), dt::f32, plain_tag(d.size())); }

struct PostOp {
  enum Kind { eltwise, sum } kind = eltwise;
  dnnl::algorithm alg = dnnl::algorithm::eltwise_relu;
  float alpha = 0, beta = 0;
  std::string operand;  // sum: the tensor added to the conv output
};

// Relu and Clip as oneDNN eltwise algorithms (Clip(0,6) is ReLU6, oneDNN's bounded_relu).
PostOp activation_of(const Node& n, const Graph& g) {
  PostOp p;
  if (n.op == "Relu") return p;
  ClipRange r = clip_range(n, g);
  if (r.lo == 0.f && std::isinf(r.hi) && r.hi > 0) return p;
  if (r.lo == 0.f && std::isfinite(r.hi)) {
    p.alg = dnnl::algorithm::eltwise_bounded_relu;
    p.alpha = r.hi;
    return p;
  }
  p.alg = dnnl::algorithm::eltwise_clip;
  p.alpha = std::max(r.lo, -std::numeric_limits<float>::max());
  p.beta = std::min(r.hi, std::numeric_limits<float>::max());
  return p;
}

bool is_activation(const Node& n) { return n.op == "Relu" || n.op == "Clip"; }

}  // namespace

// ---------------------------------------------------------------------------------------------
// WeightCache

dnnl::memory WeightCache::get(const std::string& key, const memory::desc& src_md, const float* data,
                              const memory::desc& want) {
  std::lock_guard lk(mu_);
  auto& list = cache_[key];
  for (auto& m : list)
    if (m.get_desc() == want) return m;
  dnnl::memory dst(want, engine_);
  dnnl::memory src(src_md, engine_, const_cast<float*>(data));
  dnnl::stream s(engine_);
  dnnl::reorder(src, dst).execute(s, src, dst);
  s.wait();
  list.push_back(dst);
  return dst;
}

size_t WeightCache::bytes() const {
  std::lock_guard lk(mu_);
  size_t n = 0;
  for (auto& [k, list] : cache_)
    for (auto& m : list) n += m.get_desc().get_size();
  return n;
}

// ---------------------------------------------------------------------------------------------
// PlanBuilder: walks the graph in order and lowers each node (or a fused chain of nodes) to
// primitives, tracking where every tensor lives and in which layout.

class PlanBuilder {
 public:
  PlanBuilder(const Graph& g, int64_t batch, int threads, WeightCache& wc, const dnnl::engine& e,
              const PlanOptions& o)
      : g_(g), wc_(wc), eng_(e), opts_(o), plan_(new Plan) {
    plan_->batch_ = batch;
    plan_->threads_ = threads;
    shapes_ = infer_shapes(g, batch);
  }

  std::unique_ptr<Plan> build() {
    const std::string out_name = opts_.output.empty() ? g_.outputs.at(0).name : opts_.output;
    bool found = false;
    for (auto& o : g_.outputs) found |= o.name == out_name;
    if (!found) throw ModelError("the model has no output named '" + out_name + "'");

    for (auto& n : g_.nodes)
      for (auto& in : n.inputs)
        if (!in.empty()) ++pending_[in];
    for (auto& o : g_.outputs) ++pending_[o.name];

    const auto& in = g_.inputs[0];
    plan_->input_dims_ = shapes_.at(in.name);
    plan_->input_md_ = plain_md(plan_->input_dims_);
    tensors_[in.name] = {Plan::Ref{Plan::Ref::input, 0}, plan_->input_md_};

    done_.assign(g_.nodes.size(), false);
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (done_[i]) continue;
      lower(int(i));
    }

    plan_->output_dims_ = shapes_.at(out_name);
    plan_->output_md_ = plain_md(plan_->output_dims_);
    Tensor out = get(out_name);
    add_reorder(out, Plan::Ref{Plan::Ref::output, 0}, plan_->output_md_, "output");
    finish_arena();
    return std::move(plan_);
  }

 private:
  struct Tensor {
    Plan::Ref ref;
    memory::desc md;
  };

  const Graph& g_;
  WeightCache& wc_;
  dnnl::engine eng_;
  PlanOptions opts_;
  std::unique_ptr<Plan> plan_;
  ShapeMap shapes_;
  std::unordered_map<std::string, Tensor> tensors_;
  std::unordered_map<std::string, int> pending_;  // reads not yet lowered, per tensor
  std::vector<bool> done_;
  std::vector<BufferLifetime> life_;  // per slot
  std::vector<int> root_;             // per slot: the slot whose memory it shares

  // ---- slots, lifetimes, steps ----
  int step_index() const { return int(plan_->steps_.size()); }

  int new_slot(const memory::desc& md) {
    plan_->slots_.push_back({md, 0});
    life_.push_back({md.get_size(), step_index(), step_index()});
    root_.push_back(int(root_.size()));
    return int(root_.size()) - 1;
  }
  int alias_slot(int of, const memory::desc& md) {
    plan_->slots_.push_back({md, 0});
    life_.push_back({0, step_index(), step_index()});
    root_.push_back(root_[of]);
    return int(root_.size()) - 1;
  }
  void touch(const Plan::Ref& r) {
    if (r.kind != Plan::Ref::slot) return;
    auto& l = life_[root_[r.id]];
    l.last = std::max(l.last, step_index());
  }

  // Pending reads of every tensor sharing `ref`'s memory: a buffer may be overwritten in place
  // only when the op doing it is its last reader.
  int pending_on(const Plan::Ref& ref) {
    if (ref.kind != Plan::Ref::slot) return std::numeric_limits<int>::max();
    int n = 0;
    for (auto& [name, t] : tensors_)
      if (t.ref.kind == Plan::Ref::slot && root_[t.ref.id] == root_[ref.id]) n += pending_[name];
    return n;
  }

  void add_step(dnnl::primitive prim, const dnnl::primitive_desc_base& pd,
                std::vector<std::pair<int, Plan::Ref>> args, std::string label) {
    for (auto& [arg, ref] : args) touch(ref);
    Plan::Step s;
    s.prim = std::move(prim);
    s.args = std::move(args);
    s.scratch_md = pd.scratchpad_desc();
    if (s.scratch_md.get_size() > 0) s.args.push_back({DNNL_ARG_SCRATCHPAD, Plan::Ref{Plan::Ref::scratch, 0}});
    plan_->scratch_bytes_ = std::max(plan_->scratch_bytes_, s.scratch_md.get_size());
    s.label = std::move(label);
    s.impl = pd.impl_info_str();
    plan_->steps_.push_back(std::move(s));
  }

  dnnl::primitive_attr scratch_attr() {
    dnnl::primitive_attr a;
    a.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    return a;
  }

  void add_reorder(const Tensor& from, Plan::Ref to, const memory::desc& to_md, const std::string& label) {
    auto attr = scratch_attr();
    dnnl::reorder::primitive_desc pd(eng_, from.md, eng_, to_md, attr);
    add_step(dnnl::reorder(pd), pd, {{DNNL_ARG_FROM, from.ref}, {DNNL_ARG_TO, to}}, "reorder " + label);
  }

  // The tensor `name` in layout `want`: itself when it already is, else a reordered copy.
  Tensor materialize(const std::string& name, const memory::desc& want) {
    Tensor t = get(name);
    if (t.md == want) return t;
    Tensor r{Plan::Ref{Plan::Ref::slot, new_slot(want)}, want};
    add_reorder(t, r.ref, want, name);
    return r;
  }
  Tensor plain(const std::string& name) { return materialize(name, plain_md(shapes_.at(name))); }

  Plan::Ref weight(const std::string& key, const memory::desc& src_md, const float* data,
                   const memory::desc& want) {
    plan_->weights_.push_back(wc_.get(key, src_md, data, want));
    return Plan::Ref{Plan::Ref::weight, int(plan_->weights_.size()) - 1};
  }

  // A computed tensor, or a constant as weight memory in plain layout.
  Tensor get(const std::string& name) {
    auto it = tensors_.find(name);
    if (it != tensors_.end()) return it->second;
    if (g_.is_constant(name)) {
      const Constant& c = g_.constant(name);
      if (!c.is_float()) throw ModelError("constant '" + name + "' is not a float tensor");
      memory::desc md = plain_md(c.dims.empty() ? Dims{1} : c.dims);
      Tensor t{weight(name, md, c.f.data(), md), md};
      tensors_[name] = t;
      return t;
    }
    throw ModelError("tensor '" + name + "' is used before it is computed");
  }

  void finish_node(int i) {
    done_[i] = true;
    for (auto& in : g_.nodes[i].inputs)
      if (!in.empty()) --pending_[in];
  }

  // The node that is the only reader of `t` (and `t` is not a graph output), or -1.
  int single_consumer(const std::string& t) {
    if (pending_[t] != 1) return -1;
    for (size_t j = 0; j < g_.nodes.size(); ++j) {
      if (done_[j]) continue;
      for (auto& in : g_.nodes[j].inputs)
        if (in == t) return int(j);
    }
    return -1;  // the one pending read is a graph output
  }

  // Output of a primitive that may write into `inplace_candidate` when nobody reads it later.
  Tensor output_for(const memory::desc& md, const Tensor* inplace_candidate) {
    if (inplace_candidate && inplace_candidate->md == md && pending_on(inplace_candidate->ref) == 1)
      return *inplace_candidate;
    return Tensor{Plan::Ref{Plan::Ref::slot, new_slot(md)}, md};
  }

  // ---- lowering ----
  void lower(int i) {
    const Node& n = g_.nodes[i];
    try {
      if (n.op == "Conv") lower_conv(i);
      else if (is_activation(n)) lower_eltwise(i);
      else if (n.op == "Add") lower_add(i);
      else if (n.op == "BatchNormalization") lower_batchnorm(i);
      else if (n.op == "GlobalAveragePool" || n.op == "MaxPool" || n.op == "AveragePool") lower_pool(i);
      else if (n.op == "Flatten" || n.op == "Reshape") lower_reshape(i);
      else if (n.op == "Gemm" || n.op == "MatMul") lower_fc(i, i);
      else if (n.op == "Softmax") lower_softmax(i);
      else if (n.op == "Concat") lower_concat(i);
      else if (n.op == "Identity" || n.op == "Dropout") {
        tensors_[n.outputs[0]] = get(n.inputs[0]);
        finish_node(i);
      } else {
        throw ModelError(n.where() + "operator " + n.op + " is not supported");
      }
    } catch (const dnnl::error& e) {
      throw ModelError(fmt::format("{}oneDNN could not build it: {} (status {})", n.where(), e.what(),
                                   int(e.status)));
    }
  }

  // Relu/Clip/Add(+Relu/Clip) following a conv, as post-ops. Returns the last fused node's output.
  std::string collect_post_ops(const std::string& start, std::vector<PostOp>& post, std::vector<int>& fused,
                               const Dims& out_dims, bool allow_sum) {
    std::string cur = start;
    int stage = 0;  // 0 nothing yet, 1 after act, 2 after sum, 3 after sum+act
    for (;;) {
      int c = single_consumer(cur);
      if (c < 0) break;
      const Node& m = g_.nodes[c];
      if (is_activation(m) && (stage == 0 || stage == 2)) {
        post.push_back(activation_of(m, g_));
        stage = stage == 0 ? 1 : 3;
      } else if (m.op == "Add" && allow_sum && stage <= 1) {
        const std::string& other = m.inputs[0] == cur ? m.inputs[1] : m.inputs[0];
        if (other == cur || !tensors_.count(other) || shapes_.at(other) != out_dims) break;
        PostOp p;
        p.kind = PostOp::sum;
        p.operand = other;
        post.push_back(p);
        stage = 2;
      } else {
        break;
      }
      fused.push_back(c);
      cur = m.outputs[0];
    }
    return cur;
  }

  static void append_post_ops(dnnl::post_ops& po, const std::vector<PostOp>& post) {
    for (auto& p : post) {
      if (p.kind == PostOp::sum) po.append_sum(1.f);
      else po.append_eltwise(1.f, p.alg, p.alpha, p.beta);
    }
  }

  static std::string describe_post(const std::vector<PostOp>& post) {
    std::string s;
    for (auto& p : post)
      s += p.kind == PostOp::sum ? "+sum" : p.alg == dnnl::algorithm::eltwise_relu ? "+relu" : p.alg == dnnl::algorithm::eltwise_bounded_relu ? fmt::format("+relu{}", p.alpha) : "+clip";
    return s;
  }

  // Weights of a conv as oneDNN expects them: [M, C/g, kh, kw], or [g, M/g, C/g, kh, kw] grouped.
  static Dims conv_weight_dims(const Dims& w, int64_t group) {
    if (group == 1) return w;
    return {group, w[0] / group, w[1], w[2], w[3]};
  }

  // Is `j` a depthwise 3x3 conv that oneDNN can fuse after a 1x1 conv producing `in_dims`?
  bool fusable_depthwise(int j, const Dims& in_dims) {
    const Node& d = g_.nodes[j];
    if (d.op != "Conv" || !g_.is_constant(d.inputs[1])) return false;
    const Dims& wd = g_.constant(d.inputs[1]).dims;
    Window2d w = conv_window(d, in_dims, wd);
    const int64_t C = in_dims[1];
    if (w.group != C || wd[0] != C || wd[1] != 1 || w.kh != 3 || w.kw != 3) return false;
    if (w.dh != 1 || w.dw != 1 || w.sh != w.sw || (w.sh != 1 && w.sh != 2)) return false;
    if (w.pad_t != w.pad_l || w.pad_t > 1) return false;
    // oneDNN's fused depthwise produces ceil(in / stride) outputs with the given left pad; the
    // right pad is implied, so it must agree with the node's.
    for (int axis = 0; axis < 2; ++axis) {
      int64_t in = in_dims[2 + axis], out = axis ? w.out_w : w.out_h;
      int64_t pad_end = axis ? w.pad_r : w.pad_b;
      if (out != (in + w.sh - 1) / w.sh) return false;
      if ((out - 1) * w.sh + 3 - in - w.pad_l != pad_end) return false;
    }
    return true;
  }

  void lower_conv(int i) {
    const Node& n = g_.nodes[i];
    Tensor x = get(n.inputs[0]);
    const Dims& xd = shapes_.at(n.inputs[0]);
    const Constant& wc = g_.constant(n.inputs[1]);
    Window2d w = conv_window(n, xd, wc.dims);
    const int64_t M = wc.dims[0];
    const Dims yd = {xd[0], M, w.out_h, w.out_w};

    std::vector<PostOp> post;
    std::vector<int> fused;
    std::string out = collect_post_ops(n.outputs[0], post, fused, yd, true);
    bool has_sum = std::any_of(post.begin(), post.end(), [](auto& p) { return p.kind == PostOp::sum; });

    // Candidate depthwise conv to fuse into this 1x1 conv.
    int dw = -1;
    std::vector<PostOp> dw_post;
    std::vector<int> dw_fused;
    std::string dw_out;
    if (opts_.fuse_depthwise && !has_sum && w.kh == 1 && w.kw == 1 && w.sh == 1 && w.sw == 1 && w.group == 1 &&
        w.pad_t + w.pad_l + w.pad_b + w.pad_r == 0) {
      int c = single_consumer(out);
      if (c >= 0 && fusable_depthwise(c, yd)) dw = c;
    }

    const memory::desc bias_md({M}, dt::f32, tag::a);
    std::vector<float> zero_bias;
    const float* bias = nullptr;
    if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
      bias = g_.constant(n.inputs[2]).f.data();
    } else {
      zero_bias.assign(M, 0.f);
      bias = zero_bias.data();
    }
    const Dims wdims = conv_weight_dims(wc.dims, w.group);
    const memory::desc w_any(to_dnnl(wdims), dt::f32, tag::any);
    const memory::desc w_src = plain_md(wdims);
    const memory::desc y_any(to_dnnl(yd), dt::f32, tag::any);

    auto make_pd = [&](const memory::desc& src_md, bool with_dw) {
      dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                        src_md, w_any, bias_md, y_any, {w.sh, w.sw}, {w.dh - 1, w.dw - 1},
                                        {w.pad_t, w.pad_l}, {w.pad_b, w.pad_r});
      dnnl::primitive_attr attr = scratch_attr();
      dnnl::post_ops po;
      append_post_ops(po, post);
      if (with_dw) {
        const Node& dn = g_.nodes[dw];
        Window2d dwin = conv_window(dn, yd, g_.constant(dn.inputs[1]).dims);
        po.append_dw(dt::f32, dt::f32, dt::f32, 3, dwin.sh, dwin.pad_l, 0, {});
        append_post_ops(po, dw_post);
      }
      attr.set_post_ops(po);
      return dnnl::convolution_forward::primitive_desc(d, attr, eng_);
    };
    auto is_ref = [](const dnnl::primitive_desc_base& pd) {
      return std::string(pd.impl_info_str()).rfind("ref", 0) == 0;
    };
    // gemm-based and reference kernels are what oneDNN falls back to for plain layouts; a direct
    // jit kernel on a blocked layout is worth a reorder of the input.
    auto is_slow = [&](const dnnl::primitive_desc_base& pd) {
      return is_ref(pd) || std::string(pd.impl_info_str()).find("gemm") != std::string::npos;
    };
    const memory::desc x_any(to_dnnl(xd), dt::f32, tag::any);
    auto best_pd = [&](bool with_dw) {
      auto pd = make_pd(x.md, with_dw);
      if (is_slow(pd)) {
        auto alt = make_pd(x_any, with_dw);
        if (!is_slow(alt)) return alt;
      }
      return pd;
    };

    dnnl::convolution_forward::primitive_desc pd;
    bool use_dw = false;
    if (dw >= 0) {
      const Node& dn = g_.nodes[dw];
      Window2d dwin = conv_window(dn, yd, g_.constant(dn.inputs[1]).dims);
      const Dims dyd = {yd[0], yd[1], dwin.out_h, dwin.out_w};
      dw_out = collect_post_ops(dn.outputs[0], dw_post, dw_fused, dyd, false);
      try {
        pd = best_pd(true);
        const memory::dims got = pd.dst_desc().dims();
        use_dw = !is_ref(pd) && Dims(got.begin(), got.end()) == dyd;
      } catch (const dnnl::error&) {
        use_dw = false;
      }
      if (!use_dw) {
        dw_post.clear();
        dw_fused.clear();
      }
    }
    if (!use_dw) pd = best_pd(false);
    if (pd.src_desc() != x.md) x = materialize(n.inputs[0], pd.src_desc());

    std::vector<std::pair<int, Plan::Ref>> args = {
        {DNNL_ARG_SRC, x.ref},
        {DNNL_ARG_WEIGHTS, weight(n.inputs[1], w_src, wc.f.data(), pd.weights_desc())},
        {DNNL_ARG_BIAS, weight(n.inputs.size() > 2 && !n.inputs[2].empty() ? n.inputs[2] : n.name + "/zero_bias",
                               bias_md, bias, bias_md)}};
    std::string label = fmt::format("conv {} {}x{}/{} g{} {}->{}{}", n.name, w.kh, w.kw, w.sh, w.group,
                                    dims_str(xd), dims_str(yd), describe_post(post));
    if (use_dw) {
      const Node& dn = g_.nodes[dw];
      const Constant& dwc = g_.constant(dn.inputs[1]);
      const int64_t C = dwc.dims[0];
      const Dims dwd = {C, 1, 1, 3, 3};
      memory::desc dw_w_want = pd.query_md(dnnl::query::exec_arg_md, DNNL_ARG_ATTR_POST_OP_DW | DNNL_ARG_WEIGHTS);
      memory::desc dw_b_want = pd.query_md(dnnl::query::exec_arg_md, DNNL_ARG_ATTR_POST_OP_DW | DNNL_ARG_BIAS);
      std::vector<float> dw_zero;
      const float* dwb = nullptr;
      std::string dwb_key = dn.name + "/zero_bias";
      if (dn.inputs.size() > 2 && !dn.inputs[2].empty()) {
        dwb = g_.constant(dn.inputs[2]).f.data();
        dwb_key = dn.inputs[2];
      } else {
        dw_zero.assign(C, 0.f);
        dwb = dw_zero.data();
      }
      args.push_back({DNNL_ARG_ATTR_POST_OP_DW | DNNL_ARG_WEIGHTS,
                      weight(dn.inputs[1], plain_md(dwd), dwc.f.data(), dw_w_want)});
      args.push_back({DNNL_ARG_ATTR_POST_OP_DW | DNNL_ARG_BIAS,
                      weight(dwb_key, memory::desc({C}, dt::f32, tag::a), dwb, dw_b_want)});
      label += fmt::format(" + dw {} 3x3/{}{}", dn.name, conv_window(dn, yd, dwc.dims).sh, describe_post(dw_post));
    }

    Tensor y;
    const memory::desc y_md = pd.dst_desc();
    if (has_sum) {
      const std::string& operand = std::find_if(post.begin(), post.end(), [](auto& p) { return p.kind == PostOp::sum; })->operand;
      Tensor o = get(operand);
      if (o.ref.kind == Plan::Ref::slot && o.md == y_md && pending_on(o.ref) == 1) {
        y = o;  // accumulate into the residual's own buffer
      } else {
        y = Tensor{Plan::Ref{Plan::Ref::slot, new_slot(y_md)}, y_md};
        add_reorder(o, y.ref, y_md, operand + " (residual)");
      }
      label += " (residual " + operand + ")";
    } else {
      y = Tensor{Plan::Ref{Plan::Ref::slot, new_slot(y_md)}, y_md};
    }
    args.push_back({DNNL_ARG_DST, y.ref});
    add_step(dnnl::convolution_forward(pd), pd, std::move(args), std::move(label));

    finish_node(i);
    for (int f : fused) finish_node(f);
    if (use_dw) {
      finish_node(dw);
      for (int f : dw_fused) finish_node(f);
      tensors_[dw_out] = y;
    } else {
      tensors_[out] = y;
    }
  }

  void lower_eltwise(int i) {
    const Node& n = g_.nodes[i];
    Tensor x = get(n.inputs[0]);
    PostOp p = activation_of(n, g_);
    dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, p.alg, x.md, p.alpha, p.beta);
    dnnl::eltwise_forward::primitive_desc pd(d, scratch_attr(), eng_);
    Tensor y = output_for(pd.dst_desc(), &x);
    add_step(dnnl::eltwise_forward(pd), pd, {{DNNL_ARG_SRC, x.ref}, {DNNL_ARG_DST, y.ref}}, n.op + " " + n.name);
    finish_node(i);
    tensors_[n.outputs[0]] = y;
  }

  void lower_add(int i) {
    const Node& n = g_.nodes[i];
    const Dims& od = shapes_.at(n.outputs[0]);
    std::string full = n.inputs[0], other = n.inputs[1];
    if (shapes_.at(full) != od) std::swap(full, other);
    if (shapes_.at(full) != od)
      throw ModelError(n.where() + "broadcasting both inputs is not supported");
    Tensor a = get(full);
    Tensor b;
    const Dims& bd = shapes_.at(other);
    if (bd == od) {
      b = materialize(other, a.md);
    } else {
      Dims padded(od.size() - bd.size(), 1);
      padded.insert(padded.end(), bd.begin(), bd.end());
      Tensor p = plain(other);
      memory::desc view = plain_md(padded);
      if (p.ref.kind == Plan::Ref::slot) b = Tensor{Plan::Ref{Plan::Ref::slot, alias_slot(p.ref.id, view)}, view};
      else if (p.ref.kind == Plan::Ref::weight) {
        const Constant& c = g_.constant(other);
        b = Tensor{weight(other + "/broadcast", view, c.f.data(), view), view};
      } else {
        b = materialize(other, plain_md(bd));
        b = Tensor{Plan::Ref{Plan::Ref::slot, alias_slot(b.ref.id, view)}, view};
      }
    }
    std::vector<PostOp> post;
    std::vector<int> fused;
    int c = single_consumer(n.outputs[0]);
    std::string out = n.outputs[0];
    if (c >= 0 && is_activation(g_.nodes[c])) {
      post.push_back(activation_of(g_.nodes[c], g_));
      fused.push_back(c);
      out = g_.nodes[c].outputs[0];
    }
    dnnl::binary::desc d(dnnl::algorithm::binary_add, a.md, b.md, a.md);
    dnnl::primitive_attr attr = scratch_attr();
    dnnl::post_ops po;
    append_post_ops(po, post);
    attr.set_post_ops(po);
    dnnl::binary::primitive_desc pd(d, attr, eng_);
    Tensor y = output_for(pd.dst_desc(), &a);
    add_step(dnnl::binary(pd), pd, {{DNNL_ARG_SRC_0, a.ref}, {DNNL_ARG_SRC_1, b.ref}, {DNNL_ARG_DST, y.ref}},
             "add " + n.name + describe_post(post));
    finish_node(i);
    for (int f : fused) finish_node(f);
    tensors_[out] = y;
  }

  void lower_batchnorm(int i) {
    const Node& n = g_.nodes[i];
    Tensor x = get(n.inputs[0]);
    const int64_t C = shapes_.at(n.inputs[0])[1];
    dnnl::batch_normalization_forward::desc d(
        dnnl::prop_kind::forward_inference, x.md, n.f("epsilon", 1e-5f),
        dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale |
            dnnl::normalization_flags::use_shift);
    dnnl::batch_normalization_forward::primitive_desc pd(d, scratch_attr(), eng_);
    memory::desc cmd({C}, dt::f32, tag::a);
    auto param = [&](int k) { return weight(n.inputs[k], cmd, g_.constant(n.inputs[k]).f.data(), cmd); };
    Tensor y = output_for(pd.dst_desc(), &x);
    add_step(dnnl::batch_normalization_forward(pd), pd,
             {{DNNL_ARG_SRC, x.ref}, {DNNL_ARG_SCALE, param(1)}, {DNNL_ARG_SHIFT, param(2)},
              {DNNL_ARG_MEAN, param(3)}, {DNNL_ARG_VARIANCE, param(4)}, {DNNL_ARG_DST, y.ref}},
             "batchnorm " + n.name);
    finish_node(i);
    tensors_[n.outputs[0]] = y;
  }

  void lower_pool(int i) {
    const Node& n = g_.nodes[i];
    Tensor x = get(n.inputs[0]);
    const Dims& xd = shapes_.at(n.inputs[0]);
    const Dims& yd = shapes_.at(n.outputs[0]);
    dnnl::algorithm alg = dnnl::algorithm::pooling_max;
    Window2d w;
    if (n.op == "GlobalAveragePool") {
      alg = dnnl::algorithm::pooling_avg_exclude_padding;
      w.kh = xd[2];
      w.kw = xd[3];
    } else {
      w = pool_window(n, xd);
      if (n.op == "AveragePool") {
        bool include = n.i("count_include_pad", 0) != 0;
        if (include && n.i("ceil_mode", 0))
          throw ModelError(n.where() + "count_include_pad with ceil_mode is not supported");
        alg = include ? dnnl::algorithm::pooling_avg_include_padding : dnnl::algorithm::pooling_avg_exclude_padding;
      }
    }
    dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, alg, x.md,
                                  memory::desc(to_dnnl(yd), dt::f32, tag::any), {w.sh, w.sw}, {w.kh, w.kw},
                                  {w.pad_t, w.pad_l}, {w.pad_b, w.pad_r});
    dnnl::pooling_forward::primitive_desc pd(d, scratch_attr(), eng_);
    Tensor y{Plan::Ref{Plan::Ref::slot, new_slot(pd.dst_desc())}, pd.dst_desc()};
    add_step(dnnl::pooling_forward(pd), pd, {{DNNL_ARG_SRC, x.ref}, {DNNL_ARG_DST, y.ref}},
             fmt::format("{} {} {}->{}", n.op, n.name, dims_str(xd), dims_str(yd)));
    finish_node(i);
    tensors_[n.outputs[0]] = y;
  }

  void lower_reshape(int i) {
    const Node& n = g_.nodes[i];
    const Dims& xd = shapes_.at(n.inputs[0]);
    // Flatten of a 4-D tensor feeding Gemm/MatMul: one inner product reads the 4-D tensor in
    // whatever layout it has (no reorder to plain for the classifier head).
    int c = single_consumer(n.outputs[0]);
    if (c >= 0 && xd.size() == 4 && (g_.nodes[c].op == "Gemm" || g_.nodes[c].op == "MatMul") &&
        g_.nodes[c].inputs[0] == n.outputs[0] && g_.is_constant(g_.nodes[c].inputs[1]) &&
        shapes_.at(n.outputs[0]) == Dims({xd[0], xd[1] * xd[2] * xd[3]})) {
      finish_node(i);
      lower_fc(c, i);
      return;
    }
    Tensor x = plain(n.inputs[0]);
    memory::desc view = plain_md(shapes_.at(n.outputs[0]));
    if (x.ref.kind != Plan::Ref::slot) x = Tensor{Plan::Ref{Plan::Ref::slot, new_slot(x.md)}, x.md}, add_reorder(get(n.inputs[0]), x.ref, x.md, n.inputs[0]);
    tensors_[n.outputs[0]] = Tensor{Plan::Ref{Plan::Ref::slot, alias_slot(x.ref.id, view)}, view};
    finish_node(i);
  }

  // Gemm/MatMul with constant B as an inner product; `src_node` is the node whose input is the
  // data (the Flatten when fused, else the Gemm itself).
  void lower_fc(int i, int src_node) {
    const Node& n = g_.nodes[i];
    const std::string& src_name = g_.nodes[src_node].inputs[0];
    const Dims& xd = shapes_.at(src_name);
    if (!g_.is_constant(n.inputs[1])) throw ModelError(n.where() + "B must be a constant");
    const Constant& B = g_.constant(n.inputs[1]);
    const bool gemm = n.op == "Gemm";
    const bool tb = gemm && n.i("transB", 0) != 0;
    const float alpha = gemm ? n.f("alpha", 1.f) : 1.f, beta = gemm ? n.f("beta", 1.f) : 0.f;
    const int64_t K = tb ? B.dims[1] : B.dims[0], O = tb ? B.dims[0] : B.dims[1];
    Dims wd = xd;  // weights dims mirror the source: [O, C, H, W] or [O, K]
    wd[0] = O;
    memory::desc w_src;
    if (tb) {
      w_src = plain_md(wd);
    } else {  // B is [K, O]: describe it as [O, ...] with transposed strides
      memory::dims strides(wd.size());
      strides[0] = 1;
      int64_t s = O;
      for (int64_t k = int64_t(wd.size()) - 1; k >= 1; --k) {
        strides[k] = s;
        s *= wd[k];
      }
      w_src = memory::desc(to_dnnl(wd), dt::f32, strides);
    }
    (void)K;
    std::vector<float> scaled_w;
    const float* wdata = B.f.data();
    std::string wkey = n.inputs[1];
    if (alpha != 1.f) {
      scaled_w = B.f;
      for (auto& v : scaled_w) v *= alpha;
      wdata = scaled_w.data();
      wkey += "/alpha";
    }
    std::vector<float> bias(O, 0.f);
    if (gemm && n.inputs.size() > 2 && !n.inputs[2].empty()) {
      const auto& C = g_.constant(n.inputs[2]).f;
      for (int64_t o = 0; o < O; ++o) bias[o] = beta * C[C.size() == 1 ? 0 : o];
    }
    Tensor x = get(src_name);
    const memory::desc bias_md({O}, dt::f32, tag::a);
    const memory::desc y_md({xd[0], O}, dt::f32, tag::ab);
    auto make = [&](const memory::desc& src_md) {
      dnnl::inner_product_forward::desc d(dnnl::prop_kind::forward_inference, src_md,
                                          memory::desc(to_dnnl(wd), dt::f32, tag::any), bias_md, y_md);
      return dnnl::inner_product_forward::primitive_desc(d, scratch_attr(), eng_);
    };
    auto pd = make(x.md);
    if (std::string(pd.impl_info_str()).rfind("ref", 0) == 0)
      pd = make(memory::desc(to_dnnl(xd), dt::f32, tag::any));
    if (pd.src_desc() != x.md) x = materialize(src_name, pd.src_desc());
    Tensor y{Plan::Ref{Plan::Ref::slot, new_slot(pd.dst_desc())}, pd.dst_desc()};
    add_step(dnnl::inner_product_forward(pd), pd,
             {{DNNL_ARG_SRC, x.ref},
              {DNNL_ARG_WEIGHTS, weight(wkey, w_src, wdata, pd.weights_desc())},
              {DNNL_ARG_BIAS, weight(n.name + "/bias", bias_md, bias.data(), bias_md)},
              {DNNL_ARG_DST, y.ref}},
             fmt::format("fc {} {}->{}", n.name, dims_str(xd), dims_str({xd[0], O})));
    finish_node(i);
    tensors_[n.outputs[0]] = y;
  }

  void lower_softmax(int i) {
    const Node& n = g_.nodes[i];
    Tensor x = plain(n.inputs[0]);
    int axis = int(shapes_.at(n.inputs[0]).size()) - 1;
    dnnl::softmax_forward::desc d(dnnl::prop_kind::forward_inference, x.md, axis);
    dnnl::softmax_forward::primitive_desc pd(d, scratch_attr(), eng_);
    Tensor y = output_for(pd.dst_desc(), &x);
    add_step(dnnl::softmax_forward(pd), pd, {{DNNL_ARG_SRC, x.ref}, {DNNL_ARG_DST, y.ref}}, "softmax " + n.name);
    finish_node(i);
    tensors_[n.outputs[0]] = y;
  }

  void lower_concat(int i) {
    const Node& n = g_.nodes[i];
    int64_t axis = n.i("axis", 1);
    const Dims& od = shapes_.at(n.outputs[0]);
    if (axis < 0) axis += int64_t(od.size());
    std::vector<memory::desc> mds;
    std::vector<std::pair<int, Plan::Ref>> args;
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      Tensor t = get(n.inputs[k]);
      mds.push_back(t.md);
      args.push_back({DNNL_ARG_MULTIPLE_SRC + int(k), t.ref});
    }
    dnnl::concat::primitive_desc pd(memory::desc(to_dnnl(od), dt::f32, tag::any), int(axis), mds, eng_, scratch_attr());
    Tensor y{Plan::Ref{Plan::Ref::slot, new_slot(pd.dst_desc())}, pd.dst_desc()};
    args.push_back({DNNL_ARG_DST, y.ref});
    add_step(dnnl::concat(pd), pd, std::move(args), "concat " + n.name);
    finish_node(i);
    tensors_[n.outputs[0]] = y;
  }

  void finish_arena() {
    std::vector<BufferLifetime> roots;
    std::vector<int> root_index(root_.size(), -1);
    for (size_t s = 0; s < root_.size(); ++s)
      if (root_[s] == int(s)) {
        root_index[s] = int(roots.size());
        roots.push_back(life_[s]);
      }
    ArenaLayout layout = plan_arena(roots);
    for (size_t s = 0; s < root_.size(); ++s) plan_->slots_[s].offset = layout.offsets[root_index[root_[s]]];
    plan_->arena_bytes_ = layout.total;
  }
};

std::unique_ptr<Plan> Plan::build(const Graph& g, int64_t batch, int threads, WeightCache& weights,
                                  const dnnl::engine& engine, const PlanOptions& opts) {
  // oneDNN sizes its parallel work when a primitive is created, from this thread's OpenMP setting.
  const int before = omp_get_max_threads();
  omp_set_num_threads(threads);
  try {
    auto p = PlanBuilder(g, batch, threads, weights, engine, opts).build();
    omp_set_num_threads(before);
    return p;
  } catch (...) {
    omp_set_num_threads(before);
    throw;
  }
}

std::vector<std::string> Plan::describe() const {
  std::vector<std::string> out;
  for (auto& s : steps_) out.push_back(fmt::format("{}  [{}]", s.label, s.impl));
  return out;
}

// ---------------------------------------------------------------------------------------------
// ExecContext

struct ExecContext::Bound {
  std::vector<std::unordered_map<int, dnnl::memory>> args;
  dnnl::memory input, output;
};

ExecContext::ExecContext(const dnnl::engine& e) : engine_(e), stream_(e) {}

ExecContext::~ExecContext() {
  bound_.clear();
  std::free(arena_);
  std::free(scratch_);
}

void ExecContext::grow(size_t arena, size_t scratch) {
  auto alloc = [](size_t n) {
    void* p = std::aligned_alloc(64, (std::max<size_t>(n, 64) + 63) / 64 * 64);
    if (!p) throw std::bad_alloc();
    return p;
  };
  if (arena > arena_size_ || scratch > scratch_size_) bound_.clear();  // memories point into old buffers
  if (arena > arena_size_) {
    std::free(arena_);
    arena_ = alloc(arena);
    arena_size_ = arena;
  }
  if (scratch > scratch_size_) {
    std::free(scratch_);
    scratch_ = alloc(scratch);
    scratch_size_ = scratch;
  }
}

ExecContext::Bound& ExecContext::bind(const Plan& plan) {
  if (plan.arena_bytes() > arena_size_ || plan.scratch_bytes() > scratch_size_ || !arena_)
    grow(std::max(plan.arena_bytes(), arena_size_), std::max(plan.scratch_bytes(), scratch_size_));
  auto it = bound_.find(&plan);
  if (it != bound_.end()) return *it->second;
  auto b = std::make_unique<Bound>();
  b->input = dnnl::memory(plan.input_md(), engine_, DNNL_MEMORY_NONE);
  b->output = dnnl::memory(plan.output_md(), engine_, DNNL_MEMORY_NONE);
  std::vector<dnnl::memory> slots;
  for (auto& s : plan.slots()) slots.emplace_back(s.md, engine_, static_cast<char*>(arena_) + s.offset);
  for (auto& step : plan.steps()) {
    std::unordered_map<int, dnnl::memory> args;
    for (auto& [arg, ref] : step.args) {
      switch (ref.kind) {
        case Plan::Ref::slot: args[arg] = slots[ref.id]; break;
        case Plan::Ref::weight: args[arg] = plan.weights()[ref.id]; break;
        case Plan::Ref::input: args[arg] = b->input; break;
        case Plan::Ref::output: args[arg] = b->output; break;
        case Plan::Ref::scratch: args[arg] = dnnl::memory(step.scratch_md, engine_, scratch_); break;
      }
    }
    b->args.push_back(std::move(args));
  }
  auto& ref = *b;
  bound_[&plan] = std::move(b);
  return ref;
}

void ExecContext::run(const Plan& plan, const float* input, float* output) {
  Bound& b = bind(plan);
  b.input.set_data_handle(const_cast<float*>(input));
  b.output.set_data_handle(output);
  if (omp_get_max_threads() != plan.threads()) omp_set_num_threads(plan.threads());
  const auto& steps = plan.steps();
  for (size_t k = 0; k < steps.size(); ++k) steps[k].prim.execute(stream_, b.args[k]);
  stream_.wait();
}

}  // namespace mlfaas::inference
