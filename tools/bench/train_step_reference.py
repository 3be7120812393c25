"""The reference side of `ebt bench train-step`: one training step of a shape in PyTorch, on the CPU or CUDA.

Shapes (as tools/bench/train-step.ts's SHAPES):
- vit-tiny: ViT with 6 layers, dim 192, 3 heads, MLP 384, 65 tokens (8x8 patches of 4x4 on 32x32 images +
  [CLS]), batch 64, Adam, cross-entropy; the CPU benchmark, no slimming (nn.MultiheadAttention, as measured
  since the start).
- bert-base: BertForSequenceClassification's shape (12 layers, dim 768, 12 heads, MLP 3072, vocab 30522,
  post-LayerNorm, dropout 0.1), batch 32 x 128 tokens, 2 labels.
- vit-base: ViT-B/16 (12 layers, dim 768, 12 heads, MLP 3072, 14x14 patches of 16x16 on 224x224 + [CLS],
  pre-LayerNorm), batch 64, 10 labels.
bert-base and vit-base carry network slimming as ebt trains it: a learnable coefficient on every head's
context and every FFN neuron, and lambda * sum |c| (lambda 1e-4) added to the loss.

Each step reads the loss back (loss.item()), as ebt's step does. Prints {"name", "msPerStep"} as JSON.
--device cuda --tf32 0|1 sets torch.backends.cuda.matmul.allow_tf32 and cudnn.allow_tf32.
EBT_TORCH_THREADS sets the CPU thread count.
"""
import argparse
import json
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

LAMBDA = 1e-4


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


class SlimmedAttention(nn.Module):
    """Multi-head self-attention with a learnable coefficient on each head's context (BertSelfAttention + slimming)."""

    def __init__(self, dim, heads, dropout):
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.coef = nn.Parameter(torch.ones(heads))

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        scores = (q @ k.transpose(-1, -2)) / (d // self.heads) ** 0.5
        probs = F.dropout(scores.softmax(-1), self.dropout, self.training)
        context = (probs @ v) * self.coef.view(1, -1, 1, 1)
        return self.out(context.transpose(1, 2).reshape(b, t, d))


class SlimmedFFN(nn.Module):
    def __init__(self, dim, mlp):
        super().__init__()
        self.up, self.down = nn.Linear(dim, mlp), nn.Linear(mlp, dim)
        self.coef = nn.Parameter(torch.ones(mlp))

    def forward(self, x):
        return self.down(F.gelu(self.up(x)) * self.coef)


class SlimmedLayer(nn.Module):
    """A BERT layer (post-LayerNorm) or a ViT layer (pre-LayerNorm) with slimming coefficients."""

    def __init__(self, dim, heads, mlp, dropout, eps, pre_norm):
        super().__init__()
        self.attn, self.ffn = SlimmedAttention(dim, heads, dropout), SlimmedFFN(dim, mlp)
        self.ln1, self.ln2 = nn.LayerNorm(dim, eps=eps), nn.LayerNorm(dim, eps=eps)
        self.dropout, self.pre_norm = dropout, pre_norm

    def forward(self, x):
        drop = lambda h: F.dropout(h, self.dropout, self.training)
        if self.pre_norm:
            x = x + drop(self.attn(self.ln1(x)))
            return x + drop(self.ffn(self.ln2(x)))
        x = self.ln1(x + drop(self.attn(x)))
        return self.ln2(x + drop(self.ffn(x)))

    def penalty(self):
        return self.attn.coef.abs().sum() + self.ffn.coef.abs().sum()


class Bert(nn.Module):
    def __init__(self, vocab=30522, positions=512, dim=768, layers=12, heads=12, mlp=3072, labels=2):
        super().__init__()
        self.word, self.position, self.token_type = nn.Embedding(vocab, dim), nn.Embedding(positions, dim), nn.Embedding(2, dim)
        self.ln = nn.LayerNorm(dim, eps=1e-12)
        self.layers = nn.ModuleList([SlimmedLayer(dim, heads, mlp, 0.1, 1e-12, False) for _ in range(layers)])
        self.pooler, self.head = nn.Linear(dim, dim), nn.Linear(dim, labels)

    def forward(self, ids):
        t = ids.shape[1]
        pos = torch.arange(t, device=ids.device)
        x = F.dropout(self.ln(self.word(ids) + self.position(pos) + self.token_type(torch.zeros_like(ids))), 0.1, self.training)
        for layer in self.layers:
            x = layer(x)
        return self.head(F.dropout(torch.tanh(self.pooler(x[:, 0])), 0.1, self.training))


class VitBase(nn.Module):
    def __init__(self, dim=768, layers=12, heads=12, mlp=3072, patch=16, image=224, classes=10):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, patch, patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.zeros(1, (image // patch) ** 2 + 1, dim))
        self.layers = nn.ModuleList([SlimmedLayer(dim, heads, mlp, 0.0, 1e-12, True) for _ in range(layers)])
        self.ln, self.head = nn.LayerNorm(dim, eps=1e-12), nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.pos
        for layer in self.layers:
            x = layer(x)
        return self.head(self.ln(x)[:, 0])


def build(shape, batch, device):
    g = torch.Generator().manual_seed(0)
    if shape == "vit-tiny":
        return ViT(), torch.randn(64 if batch is None else batch, 3, 32, 32, generator=g), 10
    if shape == "vit-base":
        return VitBase(), torch.randn(batch, 3, 224, 224, generator=g), 10
    return Bert(), torch.randint(0, 30522, (batch, 128), generator=g), 2


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shape", default="vit-tiny", choices=["vit-tiny", "bert-base", "vit-base"])
    p.add_argument("--batch", type=int, default=None)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--tf32", type=int, default=0)
    p.add_argument("--parameters-only", action="store_true", help="print the model's parameter count and stop")
    a = p.parse_args()
    batch = a.batch or {"vit-tiny": 64, "bert-base": 32, "vit-base": 64}[a.shape]
    # PyTorch here starts with 1 intra-op thread (OpenMP reports 1); EBT_TORCH_THREADS=2 measures it on both cores.
    # Either way Debian's build runs its matrix products in OpenBLAS, whose own pool uses every core: at 1 thread
    # a 1024^3 sgemm runs at ~187 GFLOP/s here, ~96 with OPENBLAS_NUM_THREADS=1.
    if os.environ.get("EBT_TORCH_THREADS"):
        torch.set_num_threads(int(os.environ["EBT_TORCH_THREADS"]))
    if a.device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = bool(a.tf32)
        torch.backends.cudnn.allow_tf32 = bool(a.tf32)
    torch.manual_seed(0)
    model, x, classes = build(a.shape, batch, a.device)
    if a.parameters_only:
        print(json.dumps({"parameters": sum(p.numel() for p in model.parameters())}))
        return
    model, x = model.to(a.device), x.to(a.device)
    y = (torch.arange(batch) % classes).to(a.device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    slimmed = [m for m in model.modules() if isinstance(m, SlimmedLayer)]

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        if slimmed:
            loss = loss + LAMBDA * sum(layer.penalty() for layer in slimmed)
        loss.backward()
        opt.step()
        return loss.item()

    step()  # warm-up
    if a.device == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    if a.device == "cuda":
        torch.cuda.synchronize()
    ms = (time.perf_counter() - t0) / a.steps * 1000
    if a.device == "cuda":
        name = f"PyTorch {torch.__version__} CUDA {torch.version.cuda} on {torch.cuda.get_device_name()}, fp32, TF32 {'on' if a.tf32 else 'off'}"
    else:
        name = f"PyTorch {torch.__version__} CPU ({torch.get_num_threads()} intra-op threads)"
    print(json.dumps({"name": name, "msPerStep": ms, "parameters": sum(p.numel() for p in model.parameters())}))


if __name__ == "__main__":
    main()
