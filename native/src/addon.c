// Node-API binding of net.c: the TypeScript side (src/backend/blas) builds the layer program from
// a zoo model and calls gradient/evaluate with typed arrays, synchronously (no copies of θ, x, g).
#include <node_api.h>
#include <cblas.h>
#include <stdio.h>
#include <string.h>

#include "net.h"
#include "theta.h"

#define CHECK(call)                                                         \
  do {                                                                      \
    if ((call) != napi_ok) {                                                \
      napi_throw_error(env, NULL, "stalelab native: N-API call failed");    \
      return NULL;                                                          \
    }                                                                       \
  } while (0)

static void finalize_net(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  net_free((Net *)data);
}

static int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) != napi_ok) return 0;
  return type == want;
}

// createNet(program: Int32Array, loss: 0|1, classes, dim) -> external
static napi_value CreateNet(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *program;
  size_t len;
  if (argc < 4 || !typed(env, argv[0], napi_int32_array, &program, &len)) {
    napi_throw_type_error(env, NULL, "createNet(program: Int32Array, loss, classes, dim)");
    return NULL;
  }
  int32_t loss, classes, dim;
  CHECK(napi_get_value_int32(env, argv[1], &loss));
  CHECK(napi_get_value_int32(env, argv[2], &classes));
  CHECK(napi_get_value_int32(env, argv[3], &dim));
  const char *error = NULL;
  Net *net = net_create((const int *)program, len, loss, classes, dim, &error);
  if (!net) {
    napi_throw_error(env, NULL, error ? error : "createNet failed");
    return NULL;
  }
  napi_value out;
  CHECK(napi_create_external(env, net, finalize_net, NULL, &out));
  return out;
}

static int labels(napi_env env, napi_value v, void **data, size_t *len, int *is_int) {
  if (typed(env, v, napi_int32_array, data, len)) {
    *is_int = 1;
    return 1;
  }
  if (typed(env, v, napi_float32_array, data, len)) {
    *is_int = 0;
    return 1;
  }
  return 0;
}

// gradient(net, theta, x, y, batch, g) -> mean loss
static napi_value Gradient(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Net *net;
  void *theta, *x, *y, *g;
  size_t lt, lx, ly, lg;
  int y_int;
  int32_t batch;
  if (argc < 6 || napi_get_value_external(env, argv[0], (void **)&net) != napi_ok || !typed(env, argv[1], napi_float32_array, &theta, &lt) ||
      !typed(env, argv[2], napi_float32_array, &x, &lx) || !labels(env, argv[3], &y, &ly, &y_int) || napi_get_value_int32(env, argv[4], &batch) != napi_ok ||
      !typed(env, argv[5], napi_float32_array, &g, &lg)) {
    napi_throw_type_error(env, NULL, "gradient(net, theta: Float32Array, x: Float32Array, y: Int32Array|Float32Array, batch, g: Float32Array)");
    return NULL;
  }
  if (lt != (size_t)net->dim || lg != (size_t)net->dim || batch < 1 || lx != (size_t)batch * net->layers[0].in_size || ly != (size_t)batch) {
    napi_throw_range_error(env, NULL, "gradient: θ, g, x or y has the wrong length for this network and batch");
    return NULL;
  }
  double loss = net_gradient(net, (const float *)theta, (const float *)x, y, y_int, batch, (float *)g);
  napi_value out;
  CHECK(napi_create_double(env, loss, &out));
  return out;
}

// evaluate(net, theta, x, y, rows) -> [lossSum, correct]
static napi_value Evaluate(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Net *net;
  void *theta, *x, *y;
  size_t lt, lx, ly;
  int y_int;
  int32_t rows;
  if (argc < 5 || napi_get_value_external(env, argv[0], (void **)&net) != napi_ok || !typed(env, argv[1], napi_float32_array, &theta, &lt) ||
      !typed(env, argv[2], napi_float32_array, &x, &lx) || !labels(env, argv[3], &y, &ly, &y_int) || napi_get_value_int32(env, argv[4], &rows) != napi_ok) {
    napi_throw_type_error(env, NULL, "evaluate(net, theta, x, y, rows)");
    return NULL;
  }
  if (lt != (size_t)net->dim || rows < 1 || lx != (size_t)rows * net->layers[0].in_size || ly != (size_t)rows) {
    napi_throw_range_error(env, NULL, "evaluate: θ, x or y has the wrong length for this network");
    return NULL;
  }
  double loss_sum, correct;
  net_evaluate(net, (const float *)theta, (const float *)x, y, y_int, rows, &loss_sum, &correct);
  napi_value out, a, b;
  CHECK(napi_create_array_with_length(env, 2, &out));
  CHECK(napi_create_double(env, loss_sum, &a));
  CHECK(napi_create_double(env, correct, &b));
  CHECK(napi_set_element(env, out, 0, a));
  CHECK(napi_set_element(env, out, 1, b));
  return out;
}

// The θ passes (theta.h). Arguments are checked once here so the loops need no bounds checks.
static int floats(napi_env env, napi_value v, float **data, size_t *n) {
  return typed(env, v, napi_float32_array, (void **)data, n);
}

// An output the caller may leave out: v is null (*data = NULL) or a Float32Array of length n.
static int floats_or_null(napi_env env, napi_value v, size_t n, float **data) {
  napi_valuetype t;
  size_t len;
  *data = NULL;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  return t == napi_null || (floats(env, v, data, &len) && len == n);
}

static napi_value usage(napi_env env, const char *signature) {
  napi_throw_type_error(env, NULL, signature);
  return NULL;
}

static napi_value number(napi_env env, double v) {
  napi_value out;
  CHECK(napi_create_double(env, v, &out));
  return out;
}

// sgdStep(theta, g, lr) -> Σ θ after the step
static napi_value SgdStep(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *theta, *g;
  size_t nt, ng;
  double lr;
  if (argc < 3 || !floats(env, argv[0], &theta, &nt) || !floats(env, argv[1], &g, &ng) || napi_get_value_double(env, argv[2], &lr) != napi_ok || nt != ng) return usage(env, "sgdStep(theta: Float32Array, g: Float32Array of the same length, lr: number)");
  return number(env, theta_sgd_step(theta, g, lr, nt));
}

// sgdStepWithGap(theta, g, lr, x, gapSq: Float64Array) -> Σ θ after the step; gapSq[0] = Σ (θ − x)² before it
static napi_value SgdStepWithGap(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *theta, *g, *x;
  double *gap;
  size_t nt, ng, nx, nq;
  double lr;
  if (argc < 5 || !floats(env, argv[0], &theta, &nt) || !floats(env, argv[1], &g, &ng) || napi_get_value_double(env, argv[2], &lr) != napi_ok ||
      !floats(env, argv[3], &x, &nx) || !typed(env, argv[4], napi_float64_array, (void **)&gap, &nq) || nt != ng || nt != nx || nq < 1) return usage(env, "sgdStepWithGap(theta, g, lr, x: Float32Array of one length, gapSq: Float64Array)");
  return number(env, theta_sgd_step_gap(theta, g, lr, x, nt, gap));
}

// gapSq(theta, x, out: Float32Array | null) -> Σ (θ − x)², θ − x into out
static napi_value GapSq(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *theta, *x, *out;
  size_t nt, nx;
  if (argc < 3 || !floats(env, argv[0], &theta, &nt) || !floats(env, argv[1], &x, &nx) || nt != nx || !floats_or_null(env, argv[2], nt, &out))
    return usage(env, "gapSq(theta, x: Float32Array of one length, out: Float32Array of that length | null)");
  return number(env, theta_gap(theta, x, out, nt));
}

// sum(v) -> Σ v
static napi_value Sum(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *v;
  size_t n;
  if (argc < 1 || !floats(env, argv[0], &v, &n)) return usage(env, "sum(v: Float32Array)");
  return number(env, theta_sum(v, n));
}

// k numbers from argv[0 … k − 1]; 0 if one is not a number.
static int numbers(napi_env env, const napi_value *argv, int k, double *out) {
  for (int i = 0; i < k; i++) if (napi_get_value_double(env, argv[i], &out[i]) != napi_ok) return 0;
  return 1;
}

// momentumStep(theta, v, g, lr, gamma, nesterov) -> Σ θ after the step (only its finiteness means anything)
static napi_value MomentumStep(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *theta, *v, *g;
  size_t nt, nv, ng;
  double k[2];
  bool nesterov;
  if (argc < 6 || !floats(env, argv[0], &theta, &nt) || !floats(env, argv[1], &v, &nv) || !floats(env, argv[2], &g, &ng) || !numbers(env, argv + 3, 2, k) ||
      napi_get_value_bool(env, argv[5], &nesterov) != napi_ok || nt != nv || nt != ng) return usage(env, "momentumStep(theta, v, g: Float32Array of one length, lr: number, gamma: number, nesterov: boolean)");
  return number(env, nesterov ? theta_nesterov_step(theta, v, g, k[0], k[1], nt) : theta_momentum_step(theta, v, g, k[0], k[1], nt));
}

// momentumStepWithGap(theta, v, g, lr, gamma, x, gapSq: Float64Array) -> as momentumStep; gapSq[0] = Σ (θ − x)² before it
static napi_value MomentumStepWithGap(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *theta, *v, *g, *x;
  double *gap;
  size_t nt, nv, ng, nx, nq;
  double k[2];
  if (argc < 7 || !floats(env, argv[0], &theta, &nt) || !floats(env, argv[1], &v, &nv) || !floats(env, argv[2], &g, &ng) || !numbers(env, argv + 3, 2, k) ||
      !floats(env, argv[5], &x, &nx) || !typed(env, argv[6], napi_float64_array, (void **)&gap, &nq) || nt != nv || nt != ng || nt != nx || nq < 1)
    return usage(env, "momentumStepWithGap(theta, v, g: Float32Array of one length, lr, gamma: number, x: Float32Array of that length, gapSq: Float64Array)");
  return number(env, theta_momentum_step_gap(theta, v, g, k[0], k[1], x, nt, gap));
}

// gapAware(s, g, u, gap, beta, correction, lrMax, epsilon, out: Float64Array(2)) -> undefined; out = [Σ G, max G]
static napi_value GapAware(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *st, *g, *u, *gap;
  double *out;
  size_t ns, ng, nu, nd, no;
  double k[4];
  if (argc < 9 || !floats(env, argv[0], &st, &ns) || !floats(env, argv[1], &g, &ng) || !floats(env, argv[2], &u, &nu) || !floats(env, argv[3], &gap, &nd) ||
      !numbers(env, argv + 4, 4, k) || !typed(env, argv[8], napi_float64_array, (void **)&out, &no) || ns != ng || ns != nu || ns != nd || no < 2)
    return usage(env, "gapAware(s, g, u, gap: Float32Array of one length, beta, correction, lrMax, epsilon: number, out: Float64Array of 2)");
  theta_gap_aware(st, g, u, gap, k[0], k[1], k[2], k[3], ns, out);
  return NULL;
}

// divide(g, d) -> undefined; g ← g / d
static napi_value Divide(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *g;
  size_t n;
  double d;
  if (argc < 2 || !floats(env, argv[0], &g, &n) || napi_get_value_double(env, argv[1], &d) != napi_ok) return usage(env, "divide(g: Float32Array, d: number)");
  theta_divide(g, d, n);
  return NULL;
}

// danaSend(out, theta, sum, c) -> undefined; out ← θ − c·S
static napi_value DanaSend(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *out, *theta, *sum;
  size_t no, nt, ns;
  double c;
  if (argc < 4 || !floats(env, argv[0], &out, &no) || !floats(env, argv[1], &theta, &nt) || !floats(env, argv[2], &sum, &ns) || !numbers(env, argv + 3, 1, &c) || no != nt || nt != ns)
    return usage(env, "danaSend(out, theta, sum: Float32Array of one length, c: number)");
  theta_dana_send(out, theta, sum, c, nt);
  return NULL;
}

// danaGap(theta, sum, c, x, out: Float32Array | null) -> Σ (θ̂ − x)², θ̂ − x into out
static napi_value DanaGap(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *theta, *sum, *x, *out;
  size_t nt, ns, nx;
  double c;
  if (argc < 5 || !floats(env, argv[0], &theta, &nt) || !floats(env, argv[1], &sum, &ns) || !numbers(env, argv + 2, 1, &c) || !floats(env, argv[3], &x, &nx) || nt != ns || nt != nx ||
      !floats_or_null(env, argv[4], nt, &out))
    return usage(env, "danaGap(theta, sum: Float32Array of one length, c: number, x: Float32Array of that length, out: Float32Array of that length | null)");
  return number(env, theta_dana_gap(theta, sum, c, x, out, nt));
}

// danaStep(theta, v, sum, g, lr, gamma) -> Σ θ after the step (only its finiteness means anything)
static napi_value DanaStep(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *theta, *v, *sum, *g;
  size_t nt, nv, ns, ng;
  double k[2];
  if (argc < 6 || !floats(env, argv[0], &theta, &nt) || !floats(env, argv[1], &v, &nv) || !floats(env, argv[2], &sum, &ns) || !floats(env, argv[3], &g, &ng) || !numbers(env, argv + 4, 2, k) ||
      nt != nv || nt != ns || nt != ng)
    return usage(env, "danaStep(theta, v, sum, g: Float32Array of one length, lr: number, gamma: number)");
  return number(env, theta_dana_step(theta, v, sum, g, k[0], k[1], nt));
}

// delayCompensation(g, d, ms: Float32Array | null, lambda, lambda0, decay, epsilon) -> undefined:
// constant λ without ms, adaptive with it
static napi_value DelayCompensation(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *g, *d, *ms;
  size_t ng, nd;
  double k[4];
  if (argc < 7 || !floats(env, argv[0], &g, &ng) || !floats(env, argv[1], &d, &nd) || !numbers(env, argv + 3, 4, k) || ng != nd || !floats_or_null(env, argv[2], ng, &ms))
    return usage(env, "delayCompensation(g, d: Float32Array of one length, ms: Float32Array of that length | null, lambda, lambda0, decay, epsilon: number)");
  if (ms) theta_dc_adaptive(g, d, ms, k[1], k[2], k[3], ng);
  else theta_dc_constant(g, d, k[0], ng);
  return NULL;
}

// thetaIsa(name?) -> the θ passes' instruction-set variant, after switching to `name` when given
static napi_value ThetaIsa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc >= 1) {
    char name[16];
    size_t len;
    if (napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) return usage(env, "thetaIsa(name?: 'avx2' | 'base')");
    int rc = theta_set_isa(name);
    if (rc == -1) {
      napi_throw_range_error(env, NULL, "thetaIsa: the variant must be one of avx2, base");
      return NULL;
    }
    if (rc == -2) {
      napi_throw_error(env, NULL, "thetaIsa: this CPU has no avx2 (use base)");
      return NULL;
    }
  }
  napi_value out;
  CHECK(napi_create_string_utf8(env, theta_isa(), NAPI_AUTO_LENGTH, &out));
  return out;
}

// info() -> { config, core }
static napi_value Info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out, config, core;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &config));
  CHECK(napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &core));
  CHECK(napi_set_named_property(env, out, "config", config));
  CHECK(napi_set_named_property(env, out, "core", core));
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"createNet", NULL, CreateNet, NULL, NULL, NULL, napi_default, NULL},
      {"gradient", NULL, Gradient, NULL, NULL, NULL, napi_default, NULL},
      {"evaluate", NULL, Evaluate, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, Info, NULL, NULL, NULL, napi_default, NULL},
      {"sgdStep", NULL, SgdStep, NULL, NULL, NULL, napi_default, NULL},
      {"sgdStepWithGap", NULL, SgdStepWithGap, NULL, NULL, NULL, napi_default, NULL},
      {"gapSq", NULL, GapSq, NULL, NULL, NULL, napi_default, NULL},
      {"sum", NULL, Sum, NULL, NULL, NULL, napi_default, NULL},
      {"thetaIsa", NULL, ThetaIsa, NULL, NULL, NULL, napi_default, NULL},
      {"momentumStep", NULL, MomentumStep, NULL, NULL, NULL, napi_default, NULL},
      {"momentumStepWithGap", NULL, MomentumStepWithGap, NULL, NULL, NULL, napi_default, NULL},
      {"gapAware", NULL, GapAware, NULL, NULL, NULL, napi_default, NULL},
      {"divide", NULL, Divide, NULL, NULL, NULL, napi_default, NULL},
      {"danaSend", NULL, DanaSend, NULL, NULL, NULL, napi_default, NULL},
      {"danaGap", NULL, DanaGap, NULL, NULL, NULL, napi_default, NULL},
      {"danaStep", NULL, DanaStep, NULL, NULL, NULL, napi_default, NULL},
      {"delayCompensation", NULL, DelayCompensation, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}
