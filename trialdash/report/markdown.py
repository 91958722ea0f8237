"""The small subset of Streamlit markdown that pages use, as HTML.

Covers paragraphs, hard line breaks (two trailing spaces), bullet lists, ``**bold**``,
``*italic*``/``_italic_``, inline code, links, Streamlit's coloured text and background
directives (``:red[...]``, ``:red-background[...]``) and Material icons (dropped). Text is
HTML-escaped first, so page text can never inject markup into the pack.
"""

from __future__ import annotations

import html
import re

_ICON = re.compile(r":material/[a-z0-9_]+:")
_COLOUR = re.compile(
    r":(red|orange|yellow|green|blue|violet|gray|grey|rainbow|primary)(-background)?\[([^\]]*)\]")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])[*_](?![\s*_])(.+?)(?<![\s*_])[*_](?![\w*])")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_BULLET = re.compile(r"^\s*[-*]\s+")


def inline(text: str) -> str:
    """One line of markdown as inline HTML."""
    out = html.escape(_ICON.sub("", text), quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _COLOUR.sub(lambda m: f'<span class="md-{m[1]}{m[2] or ""}">{m[3]}</span>', out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    out = _ITALIC.sub(r"<em>\1</em>", out)
    return _LINK.sub(r'<a href="\2">\1</a>', out)


def to_html(text: str) -> str:
    """A markdown body (paragraphs, bullet lists, hard breaks) as HTML."""
    parts = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = para.split("\n")
        if all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{inline(_BULLET.sub('', line))}</li>" for line in lines)
            parts.append(f"<ul>{items}</ul>")
            continue
        body = "".join(inline(line.rstrip()) + ("<br>" if line.endswith("  ") else " ")
                       for line in lines)
        parts.append(f"<p>{body.strip()}</p>")
    return "\n".join(parts)
