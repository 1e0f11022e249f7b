"""The models of the inference benchmark and how they are prepared, shared by
export_onnx.py, torch_time.py and compiled_vs_ort.py.

Each bench model is an example .nn model with its PyTorch twin from
test/fixtures (the twin that the correctness tests compare nnc with), built
and perturbed as make_fixture.py does, so that nnc, ONNX Runtime and PyTorch
run the same weights on the same inputs.
"""

import os
import sys
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "fixtures"))

# Sequence length of the token and time-series models (some twins use
# seq + 1, e.g. the GRU's series): long enough that the recurrence, not the
# call overhead, dominates, short enough for a two-core machine.
SEQ = 32


@dataclass
class BenchModel:
    example: str  # the .nn file, relative to the repository root
    twin: str  # the .nn model name, which is also the twin's name
    defines: list = field(default_factory=list)  # -D NAME=VALUE for both sides
    note: str = ""  # what the table says about the configuration

    def nnc_args(self):
        """`nnc run` arguments that select and configure the model."""
        args = ["--model", self.twin]
        for d in self.defines:
            args += ["-D", d]
        return args


MODELS = {
    "mlp": BenchModel("examples/mlp.nn", "mlp", note="1x28x28 -> 256 -> 128 -> 10"),
    "lenet": BenchModel("examples/lenet.nn", "lenet", note="1x28x28"),
    # CIFAR-size ResNet-18 at the example's default width 16 (torchvision's
    # is 64, 16x the FLOPs: too slow for a two-core benchmark).
    "resnet18": BenchModel("examples/resnet.nn", "resnet18",
                           ["in_channels=3", "image_size=32", "width=16"],
                           note="3x32x32, width 16"),
    "lstm": BenchModel("examples/lstm_classifier.nn", "lstm_classifier",
                       note=f"T={SEQ}, 2-layer bidirectional, hidden 64"),
    "gru": BenchModel("examples/gru_classifier.nn", "gru_classifier",
                      note=f"T={SEQ + 1}, 2 layers, hidden 64"),
    "transformer": BenchModel("examples/transformer_encoder.nn", "transformer_classifier",
                              note=f"T={SEQ}, 2 layers, d_model 64"),
    "vit": BenchModel("examples/vit.nn", "vit", note="3x32x32, 65 tokens, d_model 64"),
    "dcgan_generator": BenchModel("examples/dcgan.nn", "generator",
                                  note="nz 100 -> 3x32x32, ngf 32"),
}


def build_twin(model, batch, seq=SEQ):
    """The perturbed twin of bench model `model` in eval mode and its inputs
    at batch size `batch`, exactly as make_fixture.py builds them."""
    import torch

    import make_fixture
    import twins
    from twins_common import SIZES, perturb

    spec = MODELS[model]
    SIZES.batch, SIZES.seq = batch, seq
    torch.manual_seed(0)
    twin = twins.build(spec.twin, twins.parse_defines(spec.defines))
    perturb(twin, torch.Generator().manual_seed(0))
    twin.eval()
    inputs, results = make_fixture.run_twin(twin)
    return twin, inputs, results
