"""Render a fixture convention (.txt with tab tables, .md with pipe tables) as PDF and DOCX.

Conventions circulate as Word documents and as PDF exports of them: the tests render each
fixture both ways at run time (tables as real tables) instead of committing binaries.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

HEADING = re.compile(r"^(?:#{1,6}\s+|(?=(?:Article|ARTICLE|Annexe|ANNEXE)\b))")


@dataclass
class Block:
    kind: str  # "heading", "paragraph", "bullet", "table", "blank"
    text: str = ""
    rows: list[list[str]] | None = None


def _cells(line: str, markdown: bool) -> list[str] | None:
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    if markdown and line.strip().startswith("|"):
        return [c.strip() for c in line.strip().strip("|").split("|")]
    return None


def parse(text: str, *, markdown: bool) -> list[Block]:
    blocks: list[Block] = []
    for line in text.splitlines():
        if markdown and re.fullmatch(r"\s*\|?\s*:?-{3,}.*", line) and "|" in line:
            continue  # markdown table separator
        cells = _cells(line, markdown)
        if cells is not None:
            if blocks and blocks[-1].kind == "table" and blocks[-1].rows is not None:
                blocks[-1].rows.append(cells)
            else:
                blocks.append(Block("table", rows=[cells]))
            continue
        stripped = line.strip()
        if not stripped:
            blocks.append(Block("blank"))
        elif HEADING.match(stripped) and len(stripped) < 120:
            blocks.append(Block("heading", re.sub(r"^#{1,6}\s+", "", stripped)))
        elif re.match(r"^[-•]\s+", stripped):
            blocks.append(Block("bullet", re.sub(r"^[-•]\s+", "", stripped)))
        else:
            blocks.append(Block("paragraph", stripped))
    return blocks


def _inline_html(text: str) -> str:
    escaped = html.escape(text, quote=False)
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)


def _plain(text: str) -> str:
    return text.replace("**", "")


def to_html(blocks: list[Block]) -> str:
    parts: list[str] = []
    in_list = False
    for block in blocks:
        if block.kind != "bullet" and in_list:
            parts.append("</ul>")
            in_list = False
        if block.kind == "heading":
            parts.append(f"<h3>{_inline_html(_plain(block.text))}</h3>")
        elif block.kind == "paragraph":
            parts.append(f"<p>{_inline_html(block.text)}</p>")
        elif block.kind == "bullet":
            if not in_list:
                parts.append("<ul>")
                in_list = True
            parts.append(f"<li>{_inline_html(block.text)}</li>")
        elif block.kind == "table" and block.rows:
            rows = "".join(
                "<tr>" + "".join(f"<td>{_inline_html(c)}</td>" for c in row) + "</tr>"
                for row in block.rows
            )
            parts.append(f"<table>{rows}</table>")
    if in_list:
        parts.append("</ul>")
    style = (
        "@page { size: A4; margin: 2cm } body { font-family: 'DejaVu Sans', sans-serif; "
        "font-size: 10pt; line-height: 1.35 } h3 { font-size: 11pt; margin: 1em 0 .4em } "
        "p { margin: .3em 0 } table { border-collapse: collapse; margin: .6em 0 } "
        "td { border: 1px solid #000; padding: 3px 8px }"
    )
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><style>{style}</style>'
        f"</head><body>{''.join(parts)}</body></html>"
    )


def render_pdf(source: Path, dest: Path) -> Path:
    from weasyprint import HTML

    blocks = parse(source.read_text(encoding="utf-8"), markdown=source.suffix == ".md")
    HTML(string=to_html(blocks)).write_pdf(str(dest))
    return dest


def _add_runs(paragraph: object, text: str) -> None:
    for k, part in enumerate(re.split(r"\*\*", text)):
        if part:
            run = paragraph.add_run(part)  # type: ignore[attr-defined]
            run.bold = k % 2 == 1


def render_docx(source: Path, dest: Path) -> Path:
    import docx

    document = docx.Document()
    for block in parse(source.read_text(encoding="utf-8"), markdown=source.suffix == ".md"):
        if block.kind == "heading":
            document.add_heading(_plain(block.text), level=3)
        elif block.kind == "paragraph":
            _add_runs(document.add_paragraph(), block.text)
        elif block.kind == "bullet":
            _add_runs(document.add_paragraph(style="List Bullet"), block.text)
        elif block.kind == "table" and block.rows:
            width = max(len(r) for r in block.rows)
            table = document.add_table(rows=len(block.rows), cols=width)
            table.style = "Table Grid"
            for i, row in enumerate(block.rows):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = _plain(cell)
    document.save(str(dest))
    return dest


def render_scan(pdf: Path, dest: Path, *, dpi: int = 150) -> Path:
    """An image-only PDF of ``pdf``, as a printed and scanned copy: no text layer."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        images = [
            document[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            for i in range(len(document))
        ]
    finally:
        document.close()
    images[0].save(dest, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return dest
