"""Which tokens of a chat are trained: exactly the assistant turns — what the model produces after the
template's generation prompt (the header `add_generation_prompt` renders), up to and including the
template's end-of-turn token — and nothing else.

Two ways, both on the real chat template:
- a template with `{% generation %}` markers: transformers' own `return_assistant_tokens_mask`;
- any other template: the conversation is rendered once as it is, and once with each assistant reply
  wrapped in private-use sentinel characters. With the sentinels removed the second rendering must equal
  the first (else the template changed the reply in a way that cannot be traced, and we say so), and the
  sentinels' places are the replies' character spans in the real rendering. A span starts earlier when
  the template writes model output between its generation prompt and the reply (Qwen 3's think block,
  GPT-OSS's `<|channel|>final<|message|>`), or a think block sits there. The tokens of the real rendering
  that overlap a span are trained, and so is a special token that starts where a span ends (`<|eot_id|>`,
  `<|im_end|>`, `<|end|>`, `<end_of_turn>`, `<|return|>`…). No assumption that rendering more turns
  extends the rendering of fewer (Qwen 3 drops earlier think blocks, GPT-OSS changes the last turn's end
  token, DeepSeek-V3 strips reasoning), and no per-template table.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Sequence

# Rendered when a tokenizer has no chat template; saved with the adapter so inference uses the same
# format. The end-of-sequence token closes each assistant turn so the model learns to stop.
PLAIN_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}"
    "{% if m['role'] == 'assistant' %}{{ eos_token }}{% endif %}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)

_OPEN, _SEP, _CLOSE = "\ue000", "\ue001", "\ue002"
_SENTINEL = re.compile("\ue000(\\d+)\ue001([ab])\ue002")
_GENERATION = re.compile(r"\{%-?\s*generation\s*-?%\}")
_THINK = re.compile(r"<think>(?:(?!<think>)[\s\S])*</think>\s*$")


class TemplateError(ValueError):
    pass


def has_generation_markers(template: str | None) -> bool:
    return bool(template and _GENERATION.search(template))


def _mark(i: int, side: str) -> str:
    return f"{_OPEN}{i}{_SEP}{side}{_CLOSE}"


def _wrap(content: str, i: int, tight: bool) -> str:
    """The reply with sentinels around it; after a `</think>` when it has one (templates split reasoning off
    there). `tight` keeps leading and trailing whitespace outside the sentinels, for templates that trim."""
    head, rest = "", content
    k = content.rfind("</think>")
    if k >= 0:
        head, rest = content[: k + len("</think>")], content[k + len("</think>") :]
    if not tight:
        return head + _mark(i, "a") + rest + _mark(i, "b")
    core = rest.strip()
    if not core:
        return head + rest
    lead = rest[: len(rest) - len(rest.lstrip())]
    trail = rest[len(rest.rstrip()) :]
    return head + lead + _mark(i, "a") + core + _mark(i, "b") + trail


Render = Callable[..., str]


def generation_prompt(messages: Sequence[dict[str, Any]], render: Render) -> str | None:
    """The text `add_generation_prompt` adds after these turns (None when it is not a plain suffix)."""
    try:
        bare, prompted = render(list(messages)), render(list(messages), True)
    except Exception:  # noqa: BLE001 — some templates cannot render an empty or system-only conversation
        return None
    return prompted[len(bare) :] if prompted.startswith(bare) and len(prompted) > len(bare) else None


def assistant_spans(
    messages: Sequence[dict[str, Any]], render: Render, trained: Callable[[int], bool] | None = None
) -> tuple[str, list[tuple[int, int]]]:
    """The rendered text and the character spans of the trained assistant replies in it.

    `render(messages, add_generation_prompt=False)` renders a conversation to text with the chat
    template; `trained(i)` picks the assistant turns to train (all by default).
    """
    picked = [i for i, m in enumerate(messages) if m.get("role") == "assistant" and (trained is None or trained(i))]
    for i in picked:
        if not isinstance(messages[i].get("content"), str):
            raise TemplateError(
                f"assistant turn {i + 1} has no text content (tool calls or content parts): "
                "train it with a chat template that has {% generation %} markers"
            )
    try:
        text = render(list(messages))
    except Exception as e:  # noqa: BLE001 — a template error is the data's or the template's, said plainly
        raise TemplateError(f"the chat template cannot render this conversation: {type(e).__name__}: {e}") from e
    if not picked:
        return text, []
    for tight in (False, True):
        wrapped = [dict(m, content=_wrap(m["content"], i, tight)) if i in picked else m for i, m in enumerate(messages)]
        marked = render(wrapped)
        clean, found = _strip_sentinels(marked)
        if clean == text:
            break
    else:
        raise TemplateError(
            "the chat template changes assistant replies in a way that cannot be traced "
            "(cannot find which tokens are the replies): add {% generation %} / {% endgeneration %} "
            "markers around the assistant output in the template"
        )
    spans: list[tuple[int, int]] = []
    prev_end = 0
    for i in picked:
        a, b = found.get((i, "a"), []), found.get((i, "b"), [])
        if len(a) > 1 or len(b) > 1:
            raise TemplateError(
                f"the chat template renders assistant turn {i + 1} more than once: cannot tell which copy to train"
            )
        if not a or not b:
            continue  # the template does not render this reply (empty, or dropped): nothing to train
        start, end = a[0], b[0]
        cue = generation_prompt(messages[:i], render)
        at = text.rfind(cue, prev_end, start) if cue else -1
        if at >= 0:
            start = at + len(cue)  # what the template writes after its generation prompt is model output
        else:
            think = text.rfind("<think>", prev_end, start)
            if think >= 0 and _THINK.match(text, think, start):
                start = think  # a think block the template puts in front of the reply is model output too
        spans.append((start, end))
        prev_end = end
    return text, spans


def _strip_sentinels(marked: str) -> tuple[str, dict[tuple[int, str], list[int]]]:
    out: list[str] = []
    found: dict[tuple[int, str], list[int]] = {}
    pos = 0
    length = 0
    for m in _SENTINEL.finditer(marked):
        out.append(marked[pos : m.start()])
        length += m.start() - pos
        found.setdefault((int(m.group(1)), m.group(2)), []).append(length)
        pos = m.end()
    out.append(marked[pos:])
    return "".join(out), found


def spans_to_mask(
    offsets: Sequence[tuple[int, int]], special: Sequence[bool], spans: Sequence[tuple[int, int]]
) -> list[bool]:
    """Trained tokens: those overlapping a span, and a special token starting exactly where a span ends."""
    mask = [False] * len(offsets)
    j = 0
    for k, (s, e) in enumerate(offsets):
        while j < len(spans) and spans[j][1] < s:
            j += 1
        for a, b in spans[j : j + 2]:
            if (s < b and e > a and e > s) or (special[k] and s == b):
                mask[k] = True
    return mask


def render_text(tokenizer: Any) -> Callable[[list[dict[str, Any]]], str]:
    template = getattr(tokenizer, "chat_template", None) or PLAIN_TEMPLATE

    def render(messages: list[dict[str, Any]], add_generation_prompt: bool = False) -> str:
        return tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=add_generation_prompt, chat_template=template
        )

    return render


def encode_chat(
    messages: Sequence[dict[str, Any]], tokenizer: Any, trained: Callable[[int], bool] | None = None
) -> tuple[list[int], list[bool]]:
    """Token ids of the conversation under the tokenizer's chat template, and which are trained."""
    template = getattr(tokenizer, "chat_template", None)
    if trained is None and has_generation_markers(template):
        out = tokenizer.apply_chat_template(
            list(messages), tokenize=True, return_dict=True, return_assistant_tokens_mask=True
        )
        return list(out["input_ids"]), [bool(x) for x in out["assistant_masks"]]
    text, spans = assistant_spans(messages, render_text(tokenizer), trained)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(enc["input_ids"])
    specials = set(tokenizer.all_special_ids) | {
        k for k, v in (getattr(tokenizer, "added_tokens_decoder", None) or {}).items() if getattr(v, "special", False)
    }
    special = [t in specials for t in ids]
    return ids, spans_to_mask([tuple(o) for o in enc["offset_mapping"]], special, spans)
