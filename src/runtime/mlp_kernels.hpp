// Raw float kernels of the measures' readouts (metrics/readout_stack.hpp): Q small MLPs
// Linear(d, h)-ReLU-Linear(h, C) that read the same input rows, trained with a mean
// cross-entropy each. Their first layers are held side by side as one [d, Q*h] matrix, so the
// widest product of a step is one product for all Q readouts instead of Q thin ones. No torch
// here (docs/ARCHITECTURE.md, "Performance principles"), so the loops build with the vectorizing
// flags; inside, the rows of a batch lie in SIMD lanes (runtime/mlp_kernels.cpp).
//
// Shapes (row-major; N rows of input, d features, Q readouts of h hidden units, C classes):
//   x  [N, d]      input rows, shared by the Q readouts (given to the kernels in lanes, xt below)
//   w1 [d, Q*h]    readout q's first layer in columns q*h .. q*h + h - 1;  b1 [Q*h]
//   w2 [Q, h, C]   second layers;  b2 [Q, C]
//   y  [Q, N]      class of row i for readout q
#pragma once
#include <cstdint>

namespace modspec::kernels {

struct MlpShape {
  int64_t N, d, Q, h, C;
};

// The kernels read their input rows in lanes, feature-major: xt [d, lanes_of(N)], N rounded up to
// whole blocks of kLaneBlock tuples (zero past N). A batch that several label sets' readouts read
// is put in lanes once, by mlp_rows_to_lanes: x [N, d] row-major -> xt.
constexpr int64_t kLaneBlock = 8;
inline int64_t lanes_of(int64_t N) { return (N + kLaneBlock - 1) / kLaneBlock * kLaneBlock; }
void mlp_rows_to_lanes(const float* x, int64_t N, int64_t d, float* xt);
// The same for rows gathered from anywhere, row i at rows[i] (d floats): the measures' readouts
// read shuffled tuples' states straight from their cache (metrics/readout_layout.hpp), without
// first copying them into a batch [N, d].
void mlp_gather_to_lanes(const float* const* rows, int64_t N, int64_t d, float* xt);

// Forward, the loss and its gradient (every gradient overwritten):
//   A   = relu(x w1 + b1)                      [N, Q*h]
//   O_q = A_q w2_q + b2_q                      [N, C]   (A_q: columns q*h .. of A)
//   loss_q = (1/N) sum_i (logsumexp(O_q[i]) - O_q[i, y_q[i]])
// Backward, G_q = (softmax(O_q) - onehot(y_q)) / N:
//   gw2_q = A_q^T G_q,  gb2_q = sum_i G_q[i],
//   gA_q = G_q w2_q^T,  gZ = gA * [A > 0],  gw1 = x^T gZ,  gb1 = sum_i gZ[i].
// x comes in lanes (xt above). `loss`, when not null, receives sum_q loss_q (training needs only
// the gradients, and the loss costs a log per tuple). Readout q's loss and gradients depend on its
// own parameters and labels only.
void mlp_loss_and_gradients(const MlpShape& s, const float* xt, const int64_t* y, const float* w1, const float* b1,
                            const float* w2, const float* b2, float* gw1, float* gb1, float* gw2, float* gb2,
                            double* loss = nullptr);

// The class each readout picks for each row: classes[q, i] = argmax_c O_q[i, c], the first on
// ties (as torch::argmax), x in lanes. Rows are taken in chunks, so any N needs only a chunk's
// memory.
void mlp_predict(const MlpShape& s, const float* xt, const float* w1, const float* b1, const float* w2, const float* b2,
                 int64_t* classes);

// The same for the input as given and for M ablations of it: variant v = 0 reads x as it is,
// v = m + 1 reads x with its m-th block of d/M features set to zero (a module's states silenced),
// classes [1 + M, Q, N]. The first layer is computed once, as M partial products of the blocks,
// and each variant adds the ones it keeps (so a variant's sums run in another order than
// mlp_predict's on a zeroed copy: equal classes but for ties within float rounding). d must be a
// multiple of M.
void mlp_predict_ablated(const MlpShape& s, int64_t M, const float* xt, const float* w1, const float* b1,
                         const float* w2, const float* b2, int64_t* classes);

// The same three, always through the baseline x86-64 build: the one a CPU without AVX2 and FMA
// runs. Tests check it against the build the CPU picks.
void mlp_loss_and_gradients_baseline(const MlpShape& s, const float* xt, const int64_t* y, const float* w1,
                                     const float* b1, const float* w2, const float* b2, float* gw1, float* gb1,
                                     float* gw2, float* gb2, double* loss = nullptr);
void mlp_predict_baseline(const MlpShape& s, const float* xt, const float* w1, const float* b1, const float* w2,
                          const float* b2, int64_t* classes);
void mlp_predict_ablated_baseline(const MlpShape& s, int64_t M, const float* xt, const float* w1, const float* b1,
                                  const float* w2, const float* b2, int64_t* classes);

}  // namespace modspec::kernels
