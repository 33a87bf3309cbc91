// A small feed-forward network over one flat parameter vector θ, evaluated on the CPU with
// OpenBLAS sgemm: the dense and LeNet models of the zoo, so that their gradients run at BLAS
// speed instead of through TensorFlow.js kernels. Layouts are NHWC per example and θ holds each
// layer's kernel then bias, exactly as src/models lays them out (the TypeScript side checks it).
#ifndef STALELAB_NET_H
#define STALELAB_NET_H

#include <stddef.h>

enum LayerKind { LAYER_CONV = 0, LAYER_ACT = 1, LAYER_MAXPOOL = 2, LAYER_DENSE = 3 };
enum ActKind { ACT_RELU = 0, ACT_TANH = 1 };
enum LossKind { LOSS_SOFTMAX_CE = 0, LOSS_MSE = 1 };

typedef struct {
  int kind;
  // Per example: input and output sizes (floats).
  int in_size, out_size;
  // conv: input h, w, ci; output ho, wo, co; kernel k (square), pad before (top/left) and after.
  int h, w, ci, ho, wo, co, k, pad_lo, pad_hi;
  // dense: in -> out. act: kind. kernel and bias offsets into θ.
  int act;
  int w_off, b_off;
  // Workspace for a batch: this layer's input (kept for the backward pass), conv im2col rows,
  // max-pool argmax indices.
  float *input;
  float *col;
  int *argmax;
} Layer;

typedef struct {
  int n_layers;
  Layer *layers;
  int loss;
  int classes;
  int dim;
  // Workspace sized for `capacity` examples, grown on demand.
  int capacity;
  float *output;  // logits of the last forward pass
  float *grad_a, *grad_b;  // two ping-pong buffers for dL/d(activation)
  size_t grad_floats;
  float *dcol;  // the im2col-shaped gradient of a conv's input
} Net;

// program: n_layers, then per layer 15 ints: kind, in_size, out_size, h, w, ci, ho, wo, co, k,
// pad_lo, pad_hi, act, w_off, b_off. Returns NULL with a message on bad input.
Net *net_create(const int *program, size_t program_len, int loss, int classes, int dim, const char **error);
void net_free(Net *net);

// Mean minibatch loss; writes dL/dθ (length dim) into g.
double net_gradient(Net *net, const float *theta, const float *x, const void *y, int y_is_int, int batch, float *g);

// Sum of per-example losses and number of correct argmax predictions (classification) over rows.
void net_evaluate(Net *net, const float *theta, const float *x, const void *y, int y_is_int, int rows, double *loss_sum, double *correct);

#endif
