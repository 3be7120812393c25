"""GELU, its derivative and softmax in float64 by PyTorch, at float32 points: the reference of vmath.spec.ts.

Run with Debian's PyTorch: /usr/bin/python3 make-gelu.py > gelu-float64.json
"""
import json
import math

import torch

x = torch.cat([torch.linspace(-13, 10, 4601), torch.tensor([-1e-3, 1e-6, 3e-4, -0.7517916])]).float().double()
cdf = 0.5 * torch.special.erfc(-x / math.sqrt(2))
pdf = torch.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
g = torch.Generator().manual_seed(0)
logits = (torch.randn(24, 65, generator=g) * torch.linspace(0.1, 30, 24).unsqueeze(1)).float().double()
print(json.dumps({
    "source": f"torch {torch.__version__}, float64: gelu = x Phi(x) with Phi = erfc(-x / sqrt 2) / 2, gelu' = Phi + x phi",
    "x": x.tolist(),
    "gelu": (x * cdf).tolist(),
    "gelu_grad": (cdf + x * pdf).tolist(),
    # the size of gelu' 's two terms, for a relative error where they cancel (gelu' = 0 near x = -0.75)
    "gelu_grad_scale": (cdf + (x * pdf).abs()).tolist(),
    # softmax rows of logits from N(0, s^2), s from 0.1 to 30: probabilities down to exp(-87) and below
    "softmax_logits": logits.tolist(),
    "softmax": torch.softmax(logits, dim=1).tolist(),
}))
