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
  float *theta, *x, *out = NULL;
  size_t nt, nx, no = 0;
  napi_valuetype third = napi_null;
  if (argc >= 3) CHECK(napi_typeof(env, argv[2], &third));
  if (argc < 3 || !floats(env, argv[0], &theta, &nt) || !floats(env, argv[1], &x, &nx) || nt != nx ||
      (third != napi_null && (!floats(env, argv[2], &out, &no) || no != nt))) return usage(env, "gapSq(theta, x: Float32Array of one length, out: Float32Array of that length | null)");
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
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}
