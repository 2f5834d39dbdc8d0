"""The reference workload in eager PyTorch on the CPU: the comparison target of issue 2
("natively, at least as fast as an eager PyTorch CPU implementation of the same workload").

Same model as crates/train/src/model.rs (nanoGPT-style): linear read-in D→d, learned
positions, L pre-LayerNorm blocks (causal multi-head attention with biases, MLP d→4d→d with
GELU), final LayerNorm, read-out d→1; predictions read at the x tokens; Adam; the loss is
the mean squared error over all K+1 predictions; prompts drawn fresh every step.

    python tests/bench/pytorch_reference.py [--steps 20] [--warmup 3] [--threads N]

Prints one JSON line. Not part of the test suite (PyTorch is not a project dependency).
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

D, K, WIDTH, DEPTH, HEADS, BATCH, LR = 8, 32, 64, 4, 4, 64, 1e-3
N_POINTS = K + 1
TOKENS = 2 * N_POINTS - 1  # x_0, y_0, ..., x_K (the last label is never an input)


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):  # [B, T, d]
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # [B, H, T, d/H]
        x = x + self.proj(a.transpose(1, 2).reshape(b, t, d))
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class IclTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.read_in = nn.Linear(D, WIDTH)
        self.pos = nn.Parameter(torch.randn(TOKENS, WIDTH) * 0.02)
        self.blocks = nn.ModuleList(Block(WIDTH, HEADS) for _ in range(DEPTH))
        self.ln_f = nn.LayerNorm(WIDTH)
        self.read_out = nn.Linear(WIDTH, 1)

    def forward(self, xs, ys):  # xs [B, N, D], ys [B, N]
        b = xs.shape[0]
        y_tok = torch.zeros_like(xs)
        y_tok[:, :, 0] = ys
        tokens = torch.stack((xs, y_tok), dim=2).reshape(b, 2 * N_POINTS, D)[:, :TOKENS]
        h = self.read_in(tokens) + self.pos
        for block in self.blocks:
            h = block(h)
        return self.read_out(self.ln_f(h))[:, ::2, 0]  # predictions at the x tokens: [B, N]


def sample(gen):
    xs = torch.randn(BATCH, N_POINTS, D, generator=gen)
    w = torch.randn(BATCH, D, 1, generator=gen)
    return xs, (xs @ w)[..., 0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    model = IclTransformer()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=LR)

    def step():
        xs, ys = sample(gen)
        loss = F.mse_loss(model(xs, ys), ys)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()  # a sync point, as a training loop that logs its loss has

    for _ in range(args.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    secs = time.perf_counter() - t0
    print(json.dumps({
        "framework": f"pytorch {torch.__version__} eager CPU",
        "threads": torch.get_num_threads(),
        "parameters": params,
        "steps": args.steps,
        "seconds": round(secs, 2),
        "steps_per_s": round(args.steps / secs, 3),
    }))


if __name__ == "__main__":
    main()
