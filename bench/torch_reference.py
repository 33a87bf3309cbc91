"""PyTorch reference for stalelab's GPU step-time benchmark (issue 6, item 5).

Times one SGD train step (forward, backward, parameter update) at batch 128 for the same
architectures stalelab builds: MLP 784-256-128-10, LeNet-5 (conv 6@5x5 'same' on 28x28, max pool,
conv 16@5x5, max pool, dense 120-84-10, relu) and the CIFAR ResNet-20 with option-A shortcuts.
Prints one JSON line per model. Run where torch with CUDA is installed (the GPU machine).
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.c2 = nn.Conv2d(6, 16, 5)
        self.f1 = nn.Linear(16 * 5 * 5, 120)
        self.f2 = nn.Linear(120, 84)
        self.f3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = x.flatten(1)
        return self.f3(F.relu(self.f2(F.relu(self.f1(x)))))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.pad = (cout - cin) // 2
        self.stride = stride

    def forward(self, x):
        out = F.relu(self.b1(self.c1(x)))
        out = self.b2(self.c2(out))
        sc = x
        if self.stride != 1 or self.pad:
            sc = F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))
        return F.relu(out + sc)


class ResNet(nn.Module):
    def __init__(self, depth=20):
        super().__init__()
        n = (depth - 2) // 6
        self.c = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.b = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for s, cout in enumerate([16, 32, 64]):
            for i in range(n):
                layers.append(Block(cin, cout, 2 if (s > 0 and i == 0) else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.layers(F.relu(self.b(self.c(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def time_step(name, model, shape, reps=50, batch=128):
    dev = torch.device("cuda")
    model = model.to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.rand((batch,) + shape, device=dev)
    y = torch.randint(0, 10, (batch,), device=dev)
    times = []
    for i in range(reps + 5):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()
        torch.cuda.synchronize()
        if i >= 5:
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"model": name, "medianMs": times[len(times) // 2], "params": params, "torch": torch.__version__, "device": torch.cuda.get_device_name()}))
    sys.stdout.flush()


if __name__ == "__main__":
    time_step("mlp", mlp(), (1, 28, 28))
    time_step("lenet5", LeNet5(), (1, 28, 28))
    time_step("resnet20", ResNet(20), (3, 32, 32))
