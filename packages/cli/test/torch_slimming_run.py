"""A slimming run in plain PyTorch, recorded as docs/bring-your-own-run.md says: the test of `ebt detect` on a
trajectory from elsewhere (packages/cli/src/byo-run.spec.ts).

A two-layer model with a scalar on every attention head and FFN neuron (network slimming), an L1 penalty on
them, trained on a fixed synthetic task; its coefficients recorded after every step. Written to OUT as:
- trajectory.csv: the long format, in step order (the snippet of the docs, verbatim between the markers);
- by-coefficient.csv: the same rows sorted per coefficient (what pandas' sort_values gives);
- self_slimming_coef_records.npy / inter_slimming_coef_records.npy: the seed's pair, (layers, records, units),
  record t the state after step t + 1.

Usage: python3 torch_slimming_run.py OUT [STEPS]
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

LAYERS, HIDDEN, HEADS, FFN = 2, 32, 4, 64


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(HIDDEN, 3 * HIDDEN)
        self.out = nn.Linear(HIDDEN, HIDDEN)
        self.up = nn.Linear(HIDDEN, FFN)
        self.down = nn.Linear(FFN, HIDDEN)
        self.head_coef = nn.Parameter(torch.ones(HEADS))  # slimming: one scalar per head
        self.ffn_coef = nn.Parameter(torch.ones(FFN))  # and one per FFN neuron

    def forward(self, x):
        b, t, _ = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, HEADS, HIDDEN // HEADS).permute(2, 0, 3, 1, 4)
        a = torch.softmax(q @ k.transpose(-1, -2) / (HIDDEN // HEADS) ** 0.5, dim=-1) @ v
        a = a * self.head_coef.view(1, HEADS, 1, 1)
        x = x + self.out(a.transpose(1, 2).reshape(b, t, HIDDEN))
        return x + self.down(torch.relu(self.up(x)) * self.ffn_coef)


def main(out, steps):
    torch.manual_seed(0)
    model = nn.ModuleList([Layer() for _ in range(LAYERS)])
    head = nn.Linear(HIDDEN, 2)
    inputs = torch.randn(256, 8, HIDDEN)
    labels = (inputs[:, :, :4].sum(dim=(1, 2)) > 0).long()
    params = list(model.parameters()) + list(head.parameters())
    optimizer = torch.optim.Adam(params, lr=3e-3)
    os.makedirs(out, exist_ok=True)
    records = {"head": [], "ffn": []}
    # --- snippet: docs/bring-your-own-run.md ---
    rows = []  # (step, epoch, kind, layer, index, value), after every optimizer step

    def record(step, epoch):
        for layer, m in enumerate(model):
            rows.extend((step, epoch, "head", layer, i, v) for i, v in enumerate(m.head_coef.tolist()))
            rows.extend((step, epoch, "ffn", layer, i, v) for i, v in enumerate(m.ffn_coef.tolist()))

    def write_trajectory(path):
        with open(path, "w") as f:
            f.write("step,epoch,kind,layer,index,value\n")
            f.writelines(f"{s},{e},{k},{l},{i},{v!r}\n" for s, e, k, l, i, v in rows)
    # --- end of snippet ---
    for step in range(1, steps + 1):
        batch = torch.randint(0, 256, (32,))
        x = inputs[batch]
        for m in model:
            x = m(x)
        loss = nn.functional.cross_entropy(head(x.mean(dim=1)), labels[batch])
        l1 = sum(m.head_coef.abs().sum() * 1e-2 + m.ffn_coef.abs().sum() * 3e-3 for m in model)
        optimizer.zero_grad()
        (loss + l1).backward()
        optimizer.step()
        with torch.no_grad():
            record(step, 0)
            records["head"].append([m.head_coef.tolist() for m in model])
            records["ffn"].append([m.ffn_coef.tolist() for m in model])
    write_trajectory(os.path.join(out, "trajectory.csv"))
    with open(os.path.join(out, "by-coefficient.csv"), "w") as f:
        f.write("kind,layer,index,step,epoch,value,note\n")  # other column order, and a column ebt ignores
        ordered = sorted(rows, key=lambda r: (r[2], r[3], r[4], r[0]))
        f.writelines(f"{k},{l},{i},{s},{e},{v!r},x\n" for s, e, k, l, i, v in ordered)
    # the seed's layout: (layers, records, units), float32
    for kind, name in (("head", "self_slimming_coef_records.npy"), ("ffn", "inter_slimming_coef_records.npy")):
        np.save(os.path.join(out, name), np.array(records[kind], dtype=np.float32).transpose(1, 0, 2))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300)
