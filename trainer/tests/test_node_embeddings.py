"""The editor's local embeddings (src/core/insight/embeddings.ts: onnxruntime-node on a worker thread) against
Python's onnxruntime on the same tiny ONNX models, built here with the `onnx` package.

Two models: one that outputs token embeddings (last_hidden_state: mean-pooled over the attention mask), one
that also takes token_type_ids and outputs its own sentence_embedding (used as it is). The tokenizer is a
word-level one with [CLS] … [SEP] and a 16-token limit (tokenizer_config.json's model_max_length).
"""

import json
import os
import shutil
import subprocess

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + [
    "the",
    "a",
    "model",
    "data",
    "set",
    "train",
    "held",
    "out",
    "answer",
    "is",
    "42",
    "what",
    "loss",
    "rate",
]
MAX_LEN = 16
TEXTS = [
    "the model is 42",
    "what is the answer",
    "train a model",
    "",
    "unknown words here",
    " ".join(["data"] * 40),  # truncated at 16 tokens
]


def write_tokenizer(d):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tok.save(os.path.join(d, "tokenizer.json"))
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump({"pad_token": "[PAD]", "model_max_length": MAX_LEN}, f)
    return tok


def write_model(d, pooled: bool):
    rng = np.random.default_rng(7 if pooled else 3)
    dim = 8
    inits = [
        numpy_helper.from_array(rng.standard_normal((len(WORDS), dim)).astype(np.float32), "E"),
        numpy_helper.from_array(rng.standard_normal((dim, dim)).astype(np.float32), "W"),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"),
    ]
    nodes = [
        helper.make_node("Gather", ["E", "input_ids"], ["emb"]),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "axis2"], ["mask3"]),
    ]
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
    ]
    outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", dim])]
    if pooled:
        inits.append(numpy_helper.from_array(rng.standard_normal((2, dim)).astype(np.float32), "T"))
        inputs.append(helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, ["batch", "seq"]))
        nodes += [
            helper.make_node("Gather", ["T", "token_type_ids"], ["temb"]),
            helper.make_node("Add", ["emb", "temb"], ["emb2"]),
            helper.make_node("MatMul", ["emb2", "W"], ["h"]),
        ]
        outputs.append(helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", dim]))
    else:
        nodes.append(helper.make_node("MatMul", ["emb", "W"], ["h"]))
    # padding positions keep non-zero states (tanh of the [PAD] embedding): pooling must leave them out
    inits.append(numpy_helper.from_array(np.array(0.5, dtype=np.float32), "half"))
    nodes += [
        helper.make_node("Mul", ["mask3", "half"], ["shift"]),
        helper.make_node("Add", ["h", "shift"], ["h2"]),
        helper.make_node("Tanh", ["h2"], ["last_hidden_state"]),
    ]
    if pooled:
        # the model's own pooling: the first token's state (a CLS pooler), unlike mean pooling
        nodes.append(helper.make_node("Gather", ["last_hidden_state", "zero"], ["first"], axis=1))
        inits.append(numpy_helper.from_array(np.array(0, dtype=np.int64), "zero"))
        nodes.append(helper.make_node("Tanh", ["first"], ["sentence_embedding"]))
    graph = helper.make_graph(nodes, "tiny-embedder", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(d, "model.onnx"))


def batch(ids):
    """Token ids padded to one width, and their attention mask."""
    width = max(1, max(len(x) for x in ids))
    input_ids = np.array([x + [0] * (width - len(x)) for x in ids], dtype=np.int64)
    mask = np.array([[1] * len(x) + [0] * (width - len(x)) for x in ids], dtype=np.int64)
    return input_ids, mask


def normalised(v):
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-30)


def mean_pooled(h, mask):
    """Token embeddings averaged over the attention mask (what the editor does with last_hidden_state)."""
    m = mask[:, :, None].astype(np.float64)
    return (h.astype(np.float64) * m).sum(1) / np.maximum(m.sum(1), 1)


def reference(d, tok, pooled):
    sess = onnxruntime.InferenceSession(os.path.join(d, "model.onnx"), providers=["CPUExecutionProvider"])
    input_ids, mask = batch([tok.encode(t).ids[:MAX_LEN] for t in TEXTS])
    feeds = {"input_ids": input_ids, "attention_mask": mask}
    if pooled:
        feeds["token_type_ids"] = np.zeros_like(input_ids)
    out = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, feeds)))
    if pooled:
        return normalised(out["sentence_embedding"].astype(np.float64))
    return normalised(mean_pooled(out["last_hidden_state"], mask))


def require_node():
    if not shutil.which("node") or not os.path.isdir(os.path.join(ROOT, "node_modules", "onnxruntime-node")):
        pytest.fail(
            "node and the npm packages are needed (ONNXRUNTIME_NODE_INSTALL=skip npm ci at the repository root)"
        )


def node_vectors(tmp_path, model_dir, texts):
    """What the editor's embedder (test/parity/embed.ts) gives for the texts: its JSON document."""
    spec = tmp_path / "texts.json"
    spec.write_text(json.dumps(texts))
    out = subprocess.run(
        ["node", "--import", "tsx", os.path.join(ROOT, "test", "parity", "embed.ts"), model_dir, str(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("pooled", [False, True], ids=["mean-pooled", "own-sentence-embedding"])
def test_node_vectors_equal_python_onnxruntime(tmp_path, pooled):
    require_node()
    d = str(tmp_path)
    tok = write_tokenizer(d)
    write_model(d, pooled)
    want = reference(d, tok, pooled)
    got = node_vectors(tmp_path, d, TEXTS)
    assert got["dimension"] == want.shape[1]
    have = np.array(got["vectors"], dtype=np.float64)
    assert have.shape == want.shape
    assert np.abs(have - want).max() < 1e-5, np.abs(have - want).max()
    assert np.allclose(np.linalg.norm(have, axis=1), 1, atol=1e-5)


def test_the_hand_written_test_model_is_valid_onnx_and_agrees_with_python(tmp_path):
    """test/parity/onnxEmbedder.ts writes the semantic checks' test model as ONNX protobuf by hand: the
    checker accepts it, and Python's onnxruntime (mean-pooled, normalised) gives the vectors node gives."""
    from tokenizers import Tokenizer

    require_node()
    d = str(tmp_path / "model")
    script = tmp_path / "write.ts"
    script.write_text(
        f"import {{ writeTinyEmbedder }} from {json.dumps(os.path.join(ROOT, 'test', 'parity', 'onnxEmbedder.ts'))};\n"
        f"writeTinyEmbedder({json.dumps(d)});\n"
    )
    w = subprocess.run(
        ["node", "--import", "tsx", str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert w.returncode == 0, w.stderr
    onnx.checker.check_model(onnx.load(os.path.join(d, "model.onnx")))
    texts = ["How do I get a refund for my order?", "Can I have my money back for this purchase?", "zebra"]
    tok = Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
    input_ids, mask = batch([tok.encode(t).ids for t in texts])
    sess = onnxruntime.InferenceSession(os.path.join(d, "model.onnx"), providers=["CPUExecutionProvider"])
    h = sess.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
    want = normalised(mean_pooled(h, mask))
    have = np.array(node_vectors(tmp_path, d, texts)["vectors"], dtype=np.float64)
    assert np.abs(have - want).max() < 1e-5, np.abs(have - want).max()
    # the two paraphrases share no word 5-gram, yet embed alike
    assert float(want[0] @ want[1]) > 0.99 and float(want[0] @ want[2]) < 0.5
