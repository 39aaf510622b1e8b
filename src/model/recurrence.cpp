#include "model/recurrence.hpp"

#include <cstring>

#include "runtime/kernels.hpp"

namespace modspec {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Step t's columns of the input drive: all of u when the input is static, else its t-th slice.
// Rows (MK*N of them) are `columns` floats apart in u and B floats apart in the state.
void copy_drive(const float* u, int64_t rows, int64_t columns, int64_t B, int64_t t, float* out) {
  if (columns == B) {
    std::memcpy(out, u, size_t(rows * B) * sizeof(float));
    return;
  }
  for (int64_t r = 0; r < rows; ++r) std::memcpy(out + r * B, u + r * columns + t * B, size_t(B) * sizeof(float));
}

// The drive's gradient gains step t's: a static drive sums all steps (the last step, which the
// backward pass visits first, writes), a per-step drive has its own columns for each.
void add_to_drive_gradient(const float* gz, int64_t rows, int64_t columns, int64_t B, int64_t t, int64_t T,
                           float* grad_u) {
  if (columns != B) {
    for (int64_t r = 0; r < rows; ++r) std::memcpy(grad_u + r * columns + t * B, gz + r * B, size_t(B) * sizeof(float));
  } else if (t == T - 1) {
    std::memcpy(grad_u, gz, size_t(rows * B) * sizeof(float));
  } else {
    for (int64_t i = 0; i < rows * B; ++i) grad_u[i] += gz[i];
  }
}

// The whole unroll as one autograd node, with one output per step. Saved for backward: the
// weights and every step's state (tanh' = 1 - h^2 needs nothing else). Steps whose state the loss
// does not read get no gradient tensor at all (materialize_grads off), so reading only the last
// state costs nothing for the others.
//
// The math, per block (network x module) and tuple; W the within-module matrix, E the edge
// scatter (E h)[dst_e] += w_e h[src_e] over the stack's edges, c_t = 1 when step t communicates:
//   forward   a_0 = u_0,   a_t = u_t + W h_{t-1} + c_t E h_{t-1}   (t >= 1),   h_t = tanh(a_t)
//             (u_t = u for every t when the input is static)
//   backward  with r_t = dL/dh_t as the loss reads h_t directly (0 where it does not),
//             g_{T-1} = r_{T-1},
//             delta_t = dL/da_t = g_t * (1 - h_t^2),
//             g_{t-1} = r_{t-1} + W^T delta_t + c_t E^T delta_t,  (E^T d)[src_e] += w_e d[dst_e]
//   gradients dW  = sum_{t >= 1} delta_t h_{t-1}^T  (kept at the zero diagonal by the caller's mask)
//             dw_e = sum_{t >= 1, c_t} <delta_t[dst_e], h_{t-1}[src_e]>  (summed over the batch)
//             du   = sum_t delta_t for a static input; du_t = delta_t for per-step inputs.
// Checked against tanh_recurrence_reference (autograd) and against central finite differences of
// a plain double-precision loop (tests/test_recurrence.cpp).
struct FusedTanhRecurrence : torch::autograd::Function<FusedTanhRecurrence> {
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& u_in, const torch::Tensor& w_rec_in,
                               const torch::Tensor& w_inter_in, const torch::Tensor& src, const torch::Tensor& dst,
                               const std::vector<int64_t>& comms, int64_t B) {
    const auto u = u_in.contiguous(), w_rec = w_rec_in.contiguous(), w_inter = w_inter_in.contiguous();
    const int64_t T = int64_t(comms.size()), MK = u.size(0), N = u.size(1), columns = u.size(2);
    const int64_t E = w_inter.size(1), rows = MK * N, block = rows * B;
    variable_list states;
    for (int64_t t = 0; t < T; ++t) {
      states.push_back(torch::empty({MK, N, B}));
      float* out = states.back().data_ptr<float>();
      copy_drive(u.data_ptr<float>(), rows, columns, B, t, out);
      if (t > 0) {
        const float* prev = states[size_t(t - 1)].data_ptr<float>();
        kernels::recurrent_forward(MK, N, B, w_rec.data_ptr<float>(), prev, out);
        if (comms[size_t(t)] && E > 0)
          kernels::edges_forward(E, w_inter.data_ptr<float>(), src.data_ptr<int64_t>(), dst.data_ptr<int64_t>(), B, prev,
                                 out);
      }
      kernels::tanh_in_place(out, block);
    }
    variable_list saved{w_rec, w_inter, src, dst};
    saved.insert(saved.end(), states.begin(), states.end());
    ctx->save_for_backward(saved);
    ctx->set_materialize_grads(false);
    ctx->saved_data["comms"] = comms;
    ctx->saved_data["batch"] = B;
    ctx->saved_data["columns"] = columns;
    return states;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &w_rec = saved[0], &w_inter = saved[1], &src = saved[2], &dst = saved[3];
    const auto comms = ctx->saved_data["comms"].toIntVector();
    const int64_t B = ctx->saved_data["batch"].toInt(), columns = ctx->saved_data["columns"].toInt();
    const int64_t T = int64_t(comms.size()), MK = w_rec.size(0), N = w_rec.size(2), E = w_inter.size(1);
    const int64_t rows = MK * N, block = rows * B;
    auto state = [&](int64_t t) { return saved[size_t(4 + t)].data_ptr<float>(); };
    auto grad_u = torch::empty({MK, N, columns});
    auto grad_w_rec = torch::zeros_like(w_rec);
    auto grad_w_inter = torch::zeros_like(w_inter);
    // dL/dh_t starts as what the loss reads from h_t directly (zero where it reads nothing).
    auto read_grad = [&](int64_t t, float* to) {
      if (grads[size_t(t)].defined())
        std::memcpy(to, grads[size_t(t)].contiguous().data_ptr<float>(), size_t(block) * sizeof(float));
      else
        std::memset(to, 0, size_t(block) * sizeof(float));
    };
    auto g = torch::empty({block}), gz = torch::empty({block});  // dL/dh_t and dL/d(pre-activation)_t
    float* gp = g.data_ptr<float>();
    float* gzp = gz.data_ptr<float>();
    read_grad(T - 1, gp);
    for (int64_t t = T - 1; t >= 0; --t) {
      kernels::tanh_backward(gp, state(t), gzp, block);
      add_to_drive_gradient(gzp, rows, columns, B, t, T, grad_u.data_ptr<float>());
      if (t == 0) break;
      // dL/dh_{t-1}: its direct part, plus what flows back through step t.
      const float* prev = state(t - 1);
      read_grad(t - 1, gp);
      kernels::recurrent_backward(MK, N, B, w_rec.data_ptr<float>(), prev, gzp, grad_w_rec.data_ptr<float>(), gp);
      if (comms[size_t(t)] && E > 0)
        kernels::edges_backward(E, w_inter.data_ptr<float>(), src.data_ptr<int64_t>(), dst.data_ptr<int64_t>(), B,
                                prev, gzp, grad_w_inter.data_ptr<float>(), gp);
    }
    return {grad_u, grad_w_rec, grad_w_inter, {}, {}, {}, {}};
  }
};

}  // namespace

torch::Tensor recurrent_drive(const torch::Tensor& h, const torch::Tensor& w_rec, const InterEdges& edges,
                              bool communicate) {
  auto drive = torch::bmm(w_rec, h);  // [MK, G*N, B]
  if (communicate && edges.weight.size(1) > 0) {
    const int64_t MK = h.size(0), N = h.size(1), B = h.size(2), G = edges.weight.size(0), E = edges.weight.size(1);
    auto from = h.reshape({MK * N, B}).index_select(0, edges.src_row);                    // [E, B]
    auto carried = (edges.weight.unsqueeze(2) * from.unsqueeze(0)).view({G * E, B});     // [G*E, B]
    drive = drive.view({MK * G * N, B}).index_add(0, edges.dst_row, carried).view({MK, G * N, B});
  }
  return drive;
}

std::vector<torch::Tensor> tanh_recurrence_reference(const torch::Tensor& u, const torch::Tensor& w_rec,
                                                     const InterEdges& edges, const std::vector<bool>& comms,
                                                     int64_t batch) {
  const bool per_step = u.size(2) != batch;
  std::vector<torch::Tensor> states;
  for (size_t t = 0; t < comms.size(); ++t) {
    auto ut = per_step ? u.narrow(2, int64_t(t) * batch, batch) : u;
    states.push_back(t == 0 ? torch::tanh(ut) : torch::tanh(ut + recurrent_drive(states.back(), w_rec, edges, comms[t])));
  }
  return states;
}

std::vector<torch::Tensor> tanh_recurrence(const torch::Tensor& u, const torch::Tensor& w_rec, const InterEdges& edges,
                                           const std::vector<bool>& comms, int64_t batch) {
  if (!u.is_cpu() || u.scalar_type() != torch::kFloat32 || edges.weight.size(0) != 1)
    return tanh_recurrence_reference(u, w_rec, edges, comms, batch);
  return FusedTanhRecurrence::apply(u, w_rec, edges.weight, edges.src_row, edges.dst_row,
                                    std::vector<int64_t>(comms.begin(), comms.end()), batch);
}

}  // namespace modspec
