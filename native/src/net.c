#include "net.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STRIDE 15

static void free_workspace(Net *net) {
  for (int i = 0; i < net->n_layers; i++) {
    free(net->layers[i].input);
    free(net->layers[i].col);
    free(net->layers[i].argmax);
    net->layers[i].input = NULL;
    net->layers[i].col = NULL;
    net->layers[i].argmax = NULL;
  }
  free(net->output);
  free(net->grad_a);
  free(net->grad_b);
  free(net->dcol);
  net->output = net->grad_a = net->grad_b = net->dcol = NULL;
  net->capacity = 0;
}

void net_free(Net *net) {
  if (!net) return;
  free_workspace(net);
  free(net->layers);
  free(net);
}

// Workspace for `batch` examples; 0 on success.
static int reserve(Net *net, int batch) {
  if (batch <= net->capacity) return 0;
  free_workspace(net);
  size_t widest = (size_t)net->classes;
  for (int i = 0; i < net->n_layers; i++) {
    Layer *l = &net->layers[i];
    if ((size_t)l->in_size > widest) widest = (size_t)l->in_size;
    if ((size_t)l->out_size > widest) widest = (size_t)l->out_size;
    l->input = malloc(sizeof(float) * (size_t)batch * (size_t)l->in_size);
    if (!l->input) return -1;
    if (l->kind == LAYER_CONV) {
      l->col = malloc(sizeof(float) * (size_t)batch * (size_t)l->ho * (size_t)l->wo * (size_t)(l->k * l->k * l->ci));
      if (!l->col) return -1;
    }
    if (l->kind == LAYER_MAXPOOL) {
      l->argmax = malloc(sizeof(int) * (size_t)batch * (size_t)l->out_size);
      if (!l->argmax) return -1;
    }
  }
  net->output = malloc(sizeof(float) * (size_t)batch * (size_t)net->classes);
  net->grad_floats = (size_t)batch * widest;
  net->grad_a = malloc(sizeof(float) * net->grad_floats);
  net->grad_b = malloc(sizeof(float) * net->grad_floats);
  // The im2col gradient of a conv (not of the first layer, whose input needs no gradient).
  size_t cols = 1;
  for (int i = 1; i < net->n_layers; i++) {
    const Layer *l = &net->layers[i];
    if (l->kind == LAYER_CONV) {
      size_t c = (size_t)batch * (size_t)l->ho * (size_t)l->wo * (size_t)(l->k * l->k * l->ci);
      if (c > cols) cols = c;
    }
  }
  net->dcol = malloc(sizeof(float) * cols);
  if (!net->output || !net->grad_a || !net->grad_b || !net->dcol) return -1;
  net->capacity = batch;
  return 0;
}

Net *net_create(const int *program, size_t program_len, int loss, int classes, int dim, const char **error) {
  if (program_len < 1 || program[0] < 1 || program_len != 1 + (size_t)program[0] * STRIDE) {
    *error = "program: expected n_layers followed by 15 ints per layer";
    return NULL;
  }
  Net *net = calloc(1, sizeof(Net));
  if (!net) {
    *error = "out of memory";
    return NULL;
  }
  net->n_layers = program[0];
  net->layers = calloc((size_t)net->n_layers, sizeof(Layer));
  net->loss = loss;
  net->classes = classes;
  net->dim = dim;
  for (int i = 0; i < net->n_layers; i++) {
    const int *p = program + 1 + i * STRIDE;
    Layer *l = &net->layers[i];
    l->kind = p[0];
    l->in_size = p[1];
    l->out_size = p[2];
    l->h = p[3];
    l->w = p[4];
    l->ci = p[5];
    l->ho = p[6];
    l->wo = p[7];
    l->co = p[8];
    l->k = p[9];
    l->pad_lo = p[10];
    l->pad_hi = p[11];
    l->act = p[12];
    l->w_off = p[13];
    l->b_off = p[14];
    if (l->in_size < 1 || l->out_size < 1 || l->kind < LAYER_CONV || l->kind > LAYER_DENSE) {
      *error = "program: a layer has a bad kind or size";
      net_free(net);
      return NULL;
    }
    if ((l->kind == LAYER_CONV || l->kind == LAYER_DENSE) && (l->w_off < 0 || l->b_off < 0 || l->b_off + l->co > dim)) {
      *error = "program: a layer's parameters lie outside θ";
      net_free(net);
      return NULL;
    }
    if (i > 0 && net->layers[i - 1].out_size != l->in_size) {
      *error = "program: consecutive layers do not fit";
      net_free(net);
      return NULL;
    }
  }
  if (net->layers[net->n_layers - 1].out_size != classes) {
    *error = "program: the last layer's width is not the number of outputs";
    net_free(net);
    return NULL;
  }
  openblas_set_num_threads(1);
  return net;
}

// rows [batch·ho·wo, k·k·ci] of the input patches, zeros where the window leaves the image. In
// NHWC one kernel row of a patch (k pixels × ci channels) is contiguous in the image, so it is
// one copy where the window lies inside.
static void im2col(const Layer *l, const float *in, int batch, float *col) {
  const int kk = l->k * l->k * l->ci;
  const int run = l->k * l->ci;
  for (int b = 0; b < batch; b++) {
    const float *img = in + (size_t)b * l->in_size;
    for (int oy = 0; oy < l->ho; oy++) {
      for (int ox = 0; ox < l->wo; ox++) {
        float *row = col + (((size_t)b * l->ho + oy) * l->wo + ox) * kk;
        const int x0 = ox - l->pad_lo;
        const int inside = x0 >= 0 && x0 + l->k <= l->w;
        for (int ky = 0; ky < l->k; ky++) {
          const int iy = oy + ky - l->pad_lo;
          float *dst = row + ky * run;
          if (iy < 0 || iy >= l->h) {
            memset(dst, 0, sizeof(float) * run);
          } else if (inside) {
            memcpy(dst, img + ((size_t)iy * l->w + x0) * l->ci, sizeof(float) * run);
          } else {
            for (int kx = 0; kx < l->k; kx++) {
              const int ix = x0 + kx;
              float *d = dst + kx * l->ci;
              if (ix < 0 || ix >= l->w) {
                for (int c = 0; c < l->ci; c++) d[c] = 0.0f;
              } else {
                const float *src = img + ((size_t)iy * l->w + ix) * l->ci;
                for (int c = 0; c < l->ci; c++) d[c] = src[c];
              }
            }
          }
        }
      }
    }
  }
}

// The adjoint of im2col: adds each patch-row gradient back into the input positions it read.
static void col2im(const Layer *l, const float *col, int batch, float *din) {
  const int kk = l->k * l->k * l->ci;
  const int run = l->k * l->ci;
  memset(din, 0, sizeof(float) * (size_t)batch * l->in_size);
  for (int b = 0; b < batch; b++) {
    float *img = din + (size_t)b * l->in_size;
    for (int oy = 0; oy < l->ho; oy++) {
      for (int ox = 0; ox < l->wo; ox++) {
        const float *row = col + (((size_t)b * l->ho + oy) * l->wo + ox) * kk;
        const int x0 = ox - l->pad_lo;
        const int lo = x0 < 0 ? -x0 : 0;
        const int hi = x0 + l->k > l->w ? l->w - x0 : l->k;
        for (int ky = 0; ky < l->k; ky++) {
          const int iy = oy + ky - l->pad_lo;
          if (iy < 0 || iy >= l->h) continue;
          const float *src = row + ky * run + lo * l->ci;
          float *dst = img + ((size_t)iy * l->w + x0 + lo) * l->ci;
          const int n = (hi - lo) * l->ci;
          for (int j = 0; j < n; j++) dst[j] += src[j];
        }
      }
    }
  }
}

static void add_bias(float *out, const float *bias, int rows, int n) {
  for (int r = 0; r < rows; r++) {
    float *o = out + (size_t)r * n;
    for (int j = 0; j < n; j++) o[j] += bias[j];
  }
}

// Forward pass of `batch` examples; each layer keeps its input; logits end in net->output.
static void forward(Net *net, const float *theta, const float *x, int batch) {
  const float *in = x;
  for (int i = 0; i < net->n_layers; i++) {
    Layer *l = &net->layers[i];
    if (in != l->input) memcpy(l->input, in, sizeof(float) * (size_t)batch * l->in_size);
    float *out = i + 1 < net->n_layers ? net->layers[i + 1].input : net->output;
    switch (l->kind) {
      case LAYER_DENSE: {
        const int n = l->out_size;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, n, l->in_size, 1.0f, l->input, l->in_size, theta + l->w_off, n, 0.0f, out, n);
        add_bias(out, theta + l->b_off, batch, n);
        break;
      }
      case LAYER_CONV: {
        const int rows = batch * l->ho * l->wo;
        const int kk = l->k * l->k * l->ci;
        im2col(l, l->input, batch, l->col);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, l->co, kk, 1.0f, l->col, kk, theta + l->w_off, l->co, 0.0f, out, l->co);
        add_bias(out, theta + l->b_off, rows, l->co);
        break;
      }
      case LAYER_ACT: {
        const size_t n = (size_t)batch * l->in_size;
        if (l->act == ACT_RELU) {
          for (size_t j = 0; j < n; j++) out[j] = l->input[j] > 0.0f ? l->input[j] : 0.0f;
        } else {
          for (size_t j = 0; j < n; j++) out[j] = tanhf(l->input[j]);
        }
        break;
      }
      case LAYER_MAXPOOL: {
        for (int b = 0; b < batch; b++) {
          const float *img = l->input + (size_t)b * l->in_size;
          float *o = out + (size_t)b * l->out_size;
          int *am = l->argmax + (size_t)b * l->out_size;
          for (int oy = 0; oy < l->ho; oy++) {
            for (int ox = 0; ox < l->wo; ox++) {
              for (int c = 0; c < l->ci; c++) {
                // The first maximum of the 2×2 window in row-major order wins, as in tfjs.
                int best = ((2 * oy) * l->w + 2 * ox) * l->ci + c;
                float v = img[best];
                for (int dy = 0; dy < 2; dy++) {
                  for (int dx = 0; dx < 2; dx++) {
                    const int at = ((2 * oy + dy) * l->w + 2 * ox + dx) * l->ci + c;
                    if (img[at] > v) {
                      v = img[at];
                      best = at;
                    }
                  }
                }
                const int to = (oy * l->wo + ox) * l->ci + c;
                o[to] = v;
                am[to] = best;
              }
            }
          }
        }
        break;
      }
    }
    in = out;
  }
}

static int label_of(const void *y, int y_is_int, int i) {
  return y_is_int ? ((const int *)y)[i] : (int)((const float *)y)[i];
}

// Per-example loss of the logits in net->output; writes dL/dlogits of the mean loss into dz when given.
static double loss_and_grad(Net *net, const void *y, int y_is_int, int batch, float *dz, double *correct) {
  const int c = net->classes;
  double total = 0;
  for (int i = 0; i < batch; i++) {
    const float *z = net->output + (size_t)i * c;
    if (net->loss == LOSS_MSE) {
      const float target = y_is_int ? (float)((const int *)y)[i] : ((const float *)y)[i];
      const float d = z[0] - target;
      total += (double)d * d;
      if (dz) dz[i] = 2.0f * d / (float)batch;
      continue;
    }
    float m = z[0];
    int arg = 0;
    for (int j = 1; j < c; j++) {
      if (z[j] > m) {
        m = z[j];
        arg = j;
      }
    }
    double s = 0;
    for (int j = 0; j < c; j++) s += exp((double)z[j] - m);
    const int label = label_of(y, y_is_int, i);
    const double lse = m + log(s);
    total += lse - z[label];
    if (correct && arg == label) *correct += 1;
    if (dz) {
      float *d = dz + (size_t)i * c;
      for (int j = 0; j < c; j++) d[j] = (float)(exp((double)z[j] - lse) / batch);
      d[label] -= 1.0f / (float)batch;
    }
  }
  return total;
}

double net_gradient(Net *net, const float *theta, const float *x, const void *y, int y_is_int, int batch, float *g) {
  if (reserve(net, batch) != 0) return NAN;
  forward(net, theta, x, batch);
  memset(g, 0, sizeof(float) * (size_t)net->dim);
  float *dout = net->grad_a;
  float *din = net->grad_b;
  const double loss = loss_and_grad(net, y, y_is_int, batch, dout, NULL) / batch;
  for (int i = net->n_layers - 1; i >= 0; i--) {
    Layer *l = &net->layers[i];
    const int need_input_grad = i > 0;
    switch (l->kind) {
      case LAYER_DENSE: {
        const int n = l->out_size;
        // dW = xᵀ·dy, db = Σ rows of dy, dx = dy·Wᵀ.
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, l->in_size, n, batch, 1.0f, l->input, l->in_size, dout, n, 0.0f, g + l->w_off, n);
        float *db = g + l->b_off;
        for (int r = 0; r < batch; r++) for (int j = 0; j < n; j++) db[j] += dout[(size_t)r * n + j];
        if (need_input_grad) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, l->in_size, n, 1.0f, dout, n, theta + l->w_off, n, 0.0f, din, l->in_size);
        break;
      }
      case LAYER_CONV: {
        const int rows = batch * l->ho * l->wo;
        const int kk = l->k * l->k * l->ci;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, kk, l->co, rows, 1.0f, l->col, kk, dout, l->co, 0.0f, g + l->w_off, l->co);
        float *db = g + l->b_off;
        for (int r = 0; r < rows; r++) for (int j = 0; j < l->co; j++) db[j] += dout[(size_t)r * l->co + j];
        if (need_input_grad) {
          // dcol = dy·Wᵀ, then back to the input positions it came from.
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, kk, l->co, 1.0f, dout, l->co, theta + l->w_off, l->co, 0.0f, net->dcol, kk);
          col2im(l, net->dcol, batch, din);
        }
        break;
      }
      case LAYER_ACT: {
        if (!need_input_grad) break;
        const size_t n = (size_t)batch * l->in_size;
        // The activation's output is the next layer's input (or the logits).
        const float *y_act = i + 1 < net->n_layers ? net->layers[i + 1].input : net->output;
        if (l->act == ACT_RELU) {
          for (size_t j = 0; j < n; j++) din[j] = y_act[j] > 0.0f ? dout[j] : 0.0f;
        } else {
          for (size_t j = 0; j < n; j++) din[j] = dout[j] * (1.0f - y_act[j] * y_act[j]);
        }
        break;
      }
      case LAYER_MAXPOOL: {
        if (!need_input_grad) break;
        memset(din, 0, sizeof(float) * (size_t)batch * l->in_size);
        for (int b = 0; b < batch; b++) {
          const int *am = l->argmax + (size_t)b * l->out_size;
          const float *d = dout + (size_t)b * l->out_size;
          float *dst = din + (size_t)b * l->in_size;
          for (int j = 0; j < l->out_size; j++) dst[am[j]] += d[j];
        }
        break;
      }
    }
    if (need_input_grad) {
      float *t = dout;
      dout = din;
      din = t;
    }
  }
  return loss;
}

void net_evaluate(Net *net, const float *theta, const float *x, const void *y, int y_is_int, int rows, double *loss_sum, double *correct) {
  *loss_sum = 0;
  *correct = 0;
  const int chunk = net->capacity > 0 ? net->capacity : 256;
  if (reserve(net, chunk) != 0) {
    *loss_sum = NAN;
    return;
  }
  const int in = net->layers[0].in_size;
  for (int start = 0; start < rows; start += chunk) {
    const int n = rows - start < chunk ? rows - start : chunk;
    forward(net, theta, x + (size_t)start * in, n);
    const void *ys = y_is_int ? (const void *)((const int *)y + start) : (const void *)((const float *)y + start);
    *loss_sum += loss_and_grad(net, ys, y_is_int, n, NULL, correct);
  }
}
