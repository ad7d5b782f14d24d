"""The report's two charts, drawn from its content: each article's votes by
stance (stacked bars of shares) and participation per day (a timeline). As
SVG for the PDF (vector graphics) and as PNG for the DOCX (Pillow draws the
same shapes)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

COLOURS = {"agree": "#2e7d32", "disagree": "#c62828", "abstain": "#9e9e9e"}
WIDTH = 640
LABEL = 150  # room for the article's label
ROW = 22


def stance_rows(content: dict) -> list[tuple[str, dict[str, int]]]:
    """(label, votes by stance) for each provision with votes."""
    return [(row["label"], row["votes"]) for row in content["provisions"]
            if sum(row["votes"].values())]  # fmt: skip


def day_rows(content: dict) -> list[tuple[str, int]]:
    """(day, everything received that day) in order."""
    return [(row["day"], row["votes"] + row["comments"] + row["proposals"])
            for row in content["per_day"]]  # fmt: skip


def _segments(votes: dict[str, int]) -> list[tuple[str, float]]:
    total = sum(votes.values()) or 1
    return [(stance, votes.get(stance, 0) / total) for stance in COLOURS]


def stances_svg(rows, legend: dict[str, str]) -> bytes:
    height = ROW * len(rows) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}">']  # fmt: skip
    span = WIDTH - LABEL - 10
    for index, (label, votes) in enumerate(rows):
        y = index * ROW
        parts.append(f'<text x="0" y="{y + 15}" font-size="11">{escape(label[:28])}</text>')
        x = LABEL
        for stance, share in _segments(votes):
            width = share * span
            if width > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="16" '
                             f'fill="{COLOURS[stance]}"/>')  # fmt: skip
            x += width
    y = len(rows) * ROW + 20
    for index, stance in enumerate(COLOURS):
        x = LABEL + index * 150
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{COLOURS[stance]}"/>')
        parts.append(f'<text x="{x + 16}" y="{y + 11}" font-size="11">'
                     f'{escape(legend[stance])}</text>')  # fmt: skip
    parts.append("</svg>")
    return "".join(parts).encode()


def timeline_svg(days) -> bytes:
    height = 180
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}">']  # fmt: skip
    top = max((count for _day, count in days), default=0) or 1
    step = (WIDTH - 40) / max(len(days), 1)
    parts.append(f'<text x="0" y="12" font-size="11">{top}</text>')
    parts.append(f'<line x1="30" y1="150" x2="{WIDTH}" y2="150" stroke="#555" stroke-width="1"/>')
    for index, (day, count) in enumerate(days):
        bar = 130 * count / top
        x = 35 + index * step
        parts.append(f'<rect x="{x:.1f}" y="{150 - bar:.1f}" width="{max(step - 2, 1):.1f}" '
                     f'height="{bar:.1f}" fill="#1565c0"/>')  # fmt: skip
        if index in (0, len(days) - 1):
            parts.append(f'<text x="{x:.1f}" y="168" font-size="10">{escape(day)}</text>')
    parts.append("</svg>")
    return "".join(parts).encode()


def _png(width: int, height: int, draw_with) -> bytes:
    from PIL import Image, ImageDraw

    scale = 2  # crisp when printed
    image = Image.new("RGB", (width * scale, height * scale), "white")
    draw_with(ImageDraw.Draw(image), scale)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def stances_png(rows, legend: dict[str, str]) -> bytes:
    height = ROW * len(rows) + 40
    span = WIDTH - LABEL - 10

    def draw(canvas, scale):
        for index, (label, votes) in enumerate(rows):
            y = index * ROW
            canvas.text((0, (y + 5) * scale), label[:28], fill="black", font_size=11 * scale)
            x = LABEL
            for stance, share in _segments(votes):
                width = share * span
                if width > 0:
                    canvas.rectangle([x * scale, (y + 3) * scale, (x + width) * scale,
                                      (y + 19) * scale], fill=COLOURS[stance])  # fmt: skip
                x += width
        y = len(rows) * ROW + 20
        for index, stance in enumerate(COLOURS):
            x = LABEL + index * 150
            canvas.rectangle([x * scale, y * scale, (x + 12) * scale, (y + 12) * scale],
                             fill=COLOURS[stance])  # fmt: skip
            canvas.text(((x + 16) * scale, y * scale), legend[stance], fill="black",
                        font_size=11 * scale)  # fmt: skip

    return _png(WIDTH, height, draw)


def timeline_png(days) -> bytes:
    top = max((count for _day, count in days), default=0) or 1
    step = (WIDTH - 40) / max(len(days), 1)

    def draw(canvas, scale):
        canvas.text((0, 0), str(top), fill="black", font_size=11 * scale)
        canvas.line([30 * scale, 150 * scale, WIDTH * scale, 150 * scale], fill="#555555")
        for index, (day, count) in enumerate(days):
            bar = 130 * count / top
            x = 35 + index * step
            canvas.rectangle([x * scale, (150 - bar) * scale, (x + max(step - 2, 1)) * scale,
                              150 * scale], fill="#1565c0")  # fmt: skip
            if index in (0, len(days) - 1):
                canvas.text((x * scale, 156 * scale), day, fill="black", font_size=10 * scale)

    return _png(WIDTH, 180, draw)
