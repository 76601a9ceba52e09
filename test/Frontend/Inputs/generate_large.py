"""Writes a .kiln file of about `lines` lines: many small models and one
experiment using them, to time `kilnc check`."""
import sys

lines = int(sys.argv[1])
out = ['import "std/layers.kiln"', '']
i = 0
while len(out) < lines - 12:
    out += [
        f"// Model {i}.",
        f"model Block{i}(width: int) {{",
        f"  param w{i}: f32[width, width] = normal(0.02)",
        f"  layer norm = Linear(width, width)",
        f"  fn forward(x: f32[B, width]) -> f32[B, width] {{",
        f"    let h = relu(norm(x) @ w{i} + 1.0)",
        f"    let g = sigmoid(h) * tanh(x - mean(h, axes = [1], keepdims = true))",
        f"    h + g * 0.5",
        f"  }}",
        f"}}",
        "",
    ]
    i += 1
out += [
    "experiment big(steps: int = 10, lr: float = 1e-3) {",
    '  let train = fashion_mnist("train")',
    "  let net = Block0(784)",
    "  for step in 0..steps {",
    "    for b in train.batches(64) {",
    '      log "mean" = mean(net(b.x)), step = step',
    "    }",
    "  }",
    "}",
]
print("\n".join(out))
