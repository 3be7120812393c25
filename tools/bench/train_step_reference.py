"""The reference side of `ebt bench train-step`: one ViT-Tiny-shaped training step in PyTorch (CPU).

ViT with 6 layers, dim 192, 3 heads, MLP 384, 65 tokens (8x8 patches of 4x4 on 32x32 images + [CLS]),
batch 64, Adam, cross-entropy. Prints {"name", "msPerStep"} as JSON. EBT_TORCH_THREADS sets the thread count.
"""
import json
import os
import sys
import time

import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, dim, heads, mlp):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp), nn.GELU(), nn.Linear(mlp, dim))

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class ViT(nn.Module):
    def __init__(self, layers=6, dim=192, heads=3, mlp=384, patch=4, image=32, classes=10):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, patch, patch)
        n = (image // patch) ** 2
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.zeros(1, n + 1, dim))
        self.blocks = nn.Sequential(*[Block(dim, heads, mlp) for _ in range(layers)])
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.pos
        return self.head(self.ln(self.blocks(x))[:, 0])


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    # PyTorch here starts with 1 intra-op thread (OpenMP reports 1); EBT_TORCH_THREADS=2 measures it on both cores.
    # Either way Debian's build runs its matrix products in OpenBLAS, whose own pool uses every core: at 1 thread
    # a 1024^3 sgemm runs at ~187 GFLOP/s here, ~96 with OPENBLAS_NUM_THREADS=1.
    if os.environ.get("EBT_TORCH_THREADS"):
        torch.set_num_threads(int(os.environ["EBT_TORCH_THREADS"]))
    torch.manual_seed(0)
    model = ViT()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(64, 3, 32, 32)
    y = torch.randint(0, 10, (64,))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    ms = (time.perf_counter() - t0) / steps * 1000
    print(json.dumps({"name": f"PyTorch {torch.__version__} CPU ({torch.get_num_threads()} intra-op threads)", "msPerStep": ms}))


if __name__ == "__main__":
    main()
