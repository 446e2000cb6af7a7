"""Build a tiny but real Argos Translate package for tests, offline, in about a second.

Why: the drafting code must be exercised against the same files a real `.argosmodel`
holds (a CTranslate2 model, a SentencePiece model, metadata.json, zipped under one
top folder) without downloading hundreds of megabytes. Random weights would give
gibberish, so the weights here are set by hand so that the model *copies* its input:
the "translation" of a sentence is the sentence itself (modulo SentencePiece
normalisation). That is enough to check tokenisation, batching, masking of numbers
and placeholders, and .po round-trips end to end.

How the copy model works (one encoder layer, one decoder layer, one head, pre-norm):

* The model width is ``V + 4K``: a one-hot "token" block of size V (the vocabulary)
  and a "position" block of size 4K holding ``[cos(w t), sin(w t), -cos(w t),
  -sin(w t)]`` for K geometric frequencies. The position block sums to zero and has
  a constant norm, so every LayerNorm in the network acts as the same affine map on
  every position, which keeps the arithmetic below exact.
* Encoder: embeddings are one-hot tokens; self-attention and feed-forward outputs
  are zeroed, so the encoder output is just LayerNorm(token + position).
* Decoder: target embeddings are all zero (the previous token does not matter), so
  the decoder state at step t is only its position. Its self-attention and
  feed-forward outputs are zeroed. Cross-attention uses position blocks as queries
  and keys (``sum_k cos(w_k (t - s))`` peaks sharply at ``s == t``) and the token
  block as values, so step t reads source token t into the token block.
* The output projection reads the token block, so step t emits source token t.
  The source gets ``</s>`` appended (``add_source_eos``), so the decoder copies the
  end token right after the last real token and stops.

The position table has ``MAX_POSITIONS`` rows; CTranslate2 raises on longer inputs, so
keep test sentences short (the drafting code splits text into sentences anyway).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

MAX_POSITIONS = 1024
NUM_FREQUENCIES = 16

# Words the tests use, plus filler, digits and a few acronyms. The masking sentinels
# (ZQX..) are deliberately absent, as from a real package's training data: they reach
# the model as single capital letters, which is what the tests need to prove survive.
_WORDS = (
    "call the hotline at for help with your immigration case you can also dial "
    "from any phone office hours are monday to friday am pm open closed today "
    "tomorrow welcome press to hear this message in english spanish legal aid "
    "free confidential we do not share information with ice your rights if an "
    "agent knocks on door stay calm ask see warrant signed by judge you have right "
    "remain silent text stop unsubscribe reply help more options people items "
    "there is one item are new messages hello name please wait thank"
).split()


def _sentences(count: int = 400) -> list[str]:
    """Generate deterministic English-like training sentences with digits and capitals."""
    rng = np.random.default_rng(1234)
    out = []
    for i in range(count):
        words = list(rng.choice(_WORDS, size=int(rng.integers(4, 12))))
        if i % 3 == 0:
            words.insert(int(rng.integers(0, len(words))), str(int(rng.integers(0, 100000))))
        if i % 5 == 0:
            words.append("1-855-435-7693")
        if i % 7 == 0:
            words.append("(866) 223-2817")
        if i % 4 == 0:
            words.append(str(rng.choice(["USCIS", "ICE", "FBI", "ICIRR", "NYC", "DHS"])))
        sentence = " ".join(words)
        out.append(sentence[0].upper() + sentence[1:] + rng.choice([".", "!", "?", ","]))
    out.append("ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 {}()%-.,:;!?'\"/&+$#@*")
    return out


def train_sentencepiece(vocab_size: int = 200) -> bytes:
    """Train a small unigram SentencePiece model in memory and return its bytes."""
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_sentences()),
        model_writer=model,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        num_threads=1,
        minloglevel=2,
    )
    return model.getvalue()


def _position_table(positions: int, freqs: np.ndarray) -> np.ndarray:
    angles = np.outer(np.arange(positions), freqs)
    return np.concatenate([np.cos(angles), np.sin(angles), -np.cos(angles), -np.sin(angles)], axis=1)


def build_copy_model(vocabulary: list[str], output_dir: Path) -> None:
    """Write a CTranslate2 Transformer that copies its input into ``output_dir``."""
    from ctranslate2.specs import transformer_spec

    V = len(vocabulary)
    P = 4 * NUM_FREQUENCIES
    d = V + P
    tok = slice(0, V)
    pos = slice(V, d)
    f32 = np.float32

    spec = transformer_spec.TransformerSpec.from_config(num_layers=1, num_heads=1, pre_norm=True)
    spec.config.add_source_eos = True  # copy "</s>" at the end, so decoding stops

    freqs = np.geomspace(1 / 1000, 2.5, NUM_FREQUENCIES)
    table = np.zeros((MAX_POSITIONS, d), dtype=f32)
    table[:, pos] = _position_table(MAX_POSITIONS, freqs)

    def layer_norm(ln) -> None:
        ln.gamma = np.ones(d, dtype=f32)
        ln.beta = np.zeros(d, dtype=f32)

    def zero_linear(lin, rows: int) -> None:
        lin.weight = np.zeros((rows, d), dtype=f32)
        lin.bias = np.zeros(rows, dtype=f32)

    def ffn_off(ffn) -> None:
        layer_norm(ffn.layer_norm)
        ffn.linear_0.weight = np.zeros((8, d), dtype=f32)
        ffn.linear_0.bias = np.zeros(8, dtype=f32)
        ffn.linear_1.weight = np.zeros((d, 8), dtype=f32)
        ffn.linear_1.bias = np.zeros(d, dtype=f32)

    def self_attention_off(att) -> None:
        layer_norm(att.layer_norm)
        zero_linear(att.linear[0], 3 * d)  # fused q, k, v
        zero_linear(att.linear[1], d)  # output

    # Encoder: one-hot token + position, everything else is identity.
    enc = spec.encoder
    enc.scale_embeddings = False
    enc.embeddings[0].weight = np.concatenate([np.eye(V, dtype=f32), np.zeros((V, P), f32)], axis=1)
    enc.position_encodings.encodings = table
    layer_norm(enc.layer_norm)
    self_attention_off(enc.layer[0].self_attention)
    ffn_off(enc.layer[0].ffn)

    # Decoder: state = position only; cross-attention fetches the token at the same
    # source position.
    dec = spec.decoder
    dec.scale_embeddings = False
    dec.embeddings.weight = np.zeros((V, d), dtype=f32)
    dec.position_encodings.encodings = table
    layer_norm(dec.layer_norm)
    layer = dec.layer[0]
    self_attention_off(layer.self_attention)
    ffn_off(layer.ffn)

    att = layer.attention
    layer_norm(att.layer_norm)
    # After LayerNorm the position block has norm sqrt(d) (the decoder state is only
    # the position, mean zero), so q.k = (d / sigma_e) * 2 * sum cos(w (t - s)) / sqrt(d)
    # before our extra factor. The gap between s == t and the best s != t is at least
    # 2 * 3.1 (see the module docstring); scale it to ~60 logits: sharp enough that the
    # softmax is one-hot to float32 precision for a thousand positions.
    q = np.zeros((d, d), dtype=f32)
    q[pos, pos] = np.eye(P, dtype=f32) * 10.0
    k = np.zeros((d, d), dtype=f32)
    k[pos, pos] = np.eye(P, dtype=f32)
    v = np.zeros((d, d), dtype=f32)
    v[tok, tok] = np.eye(V, dtype=f32)
    att.linear[0].weight = q
    att.linear[0].bias = np.zeros(d, dtype=f32)
    att.linear[1].weight = np.concatenate([k, v], axis=0)
    att.linear[1].bias = np.zeros(2 * d, dtype=f32)
    o = np.zeros((d, d), dtype=f32)
    o[tok, tok] = np.eye(V, dtype=f32)
    att.linear[2].weight = o
    att.linear[2].bias = np.zeros(d, dtype=f32)

    # Output projection reads the token block; a large factor makes the copied token
    # win by a wide margin so beam search agrees with greedy search.
    proj = np.zeros((V, d), dtype=f32)
    proj[:, tok] = np.eye(V, dtype=f32) * 10.0
    dec.projection.weight = proj
    dec.projection.bias = np.zeros(V, dtype=f32)

    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    output_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(output_dir))


def build_package(
    workdir: Path,
    from_code: str = "en",
    to_code: str = "es",
    package_version: str = "1.0",
    top_folder: str | None = None,
    target_prefix: str | None = None,
) -> Path:
    """Build ``translate-<from>_<to>.argosmodel`` under ``workdir`` and return its path."""
    import sentencepiece as spm

    workdir.mkdir(parents=True, exist_ok=True)
    sp_bytes = train_sentencepiece()
    sp = spm.SentencePieceProcessor(model_proto=sp_bytes)
    vocabulary = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]

    folder = top_folder or f"translate-{from_code}_{to_code}-{package_version.replace('.', '_')}"
    root = workdir / "build" / folder
    build_copy_model(vocabulary, root / "model")
    (root / "sentencepiece.model").write_bytes(sp_bytes)
    metadata = {
        "package_version": package_version,
        "argos_version": "1.9.0",
        "code": f"translate-{from_code}_{to_code}",
        "from_code": from_code,
        "from_name": {"en": "English"}.get(from_code, from_code),
        "to_code": to_code,
        "to_name": {"es": "Spanish"}.get(to_code, to_code),
        "type": "translate",
        "links": [],
    }
    if target_prefix:
        metadata["target_prefix"] = target_prefix
    (root / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")

    archive = workdir / f"translate-{from_code}_{to_code}-{package_version.replace('.', '_')}.argosmodel"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(root.rglob("*")):
            zf.write(path, path.relative_to(root.parent).as_posix())
    return archive
