"""The summary's chart: referrals / presented / retained per market, and projected insertion
hours against the hours the clauses require (matplotlib, Agg backend, PNG of a fixed size)."""

from __future__ import annotations

import io

from mailbot.reports.figures import Report

__all__ = ["CHART_SIZE", "summary_chart"]

CHART_SIZE = (900, 700)  # pixels (width, height) of the PNG
_DPI = 100
_COLOURS = ("#9bb7d4", "#3d7ab8", "#0b4f8a")  # referrals, presented, retained
_HOURS = ("#e0a458", "#5a8f4e")  # required, projected


def _label(text: str, width: int = 18) -> str:
    """A market's name on at most two short lines."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], (lines[1][: width - 1] + "…")]
    return "\n".join(lines)


def _axis(axes, positions: list[int], labels: list[str], crowded: bool, highest: float) -> None:
    """Market labels under the bars (slanted when crowded), room above the bars for the legend."""
    axes.set_xticks(positions, labels, fontsize=7 if crowded else 8,
                    rotation=35 if crowded else 0, ha="right" if crowded else "center")
    axes.set_ylim(0, max(highest * 1.3, 1))


def summary_chart(report: Report) -> bytes:
    """The PNG bytes (CHART_SIZE pixels) of the two charts for `report`'s markets."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    from mailbot.outbox.labels_fr import count_fr

    markets = report.markets
    crowded = len(markets) > 6  # many markets: one slanted line per label
    labels = [(m.reference or m.name)[:22] if crowded else _label(m.reference or m.name)
              for m in markets] or ["—"]
    figure = Figure(figsize=(CHART_SIZE[0] / _DPI, CHART_SIZE[1] / _DPI), dpi=_DPI)
    top, bottom = figure.subplots(2, 1)
    positions = list(range(len(labels)))
    width = 0.26
    series = [("Candidatures", [m.figures.referrals for m in markets]),
              ("Présentées", [m.figures.presented for m in markets]),
              ("Retenues", [m.figures.retained for m in markets])]
    for index, ((name, values), colour) in enumerate(zip(series, _COLOURS, strict=True)):
        offsets = [p + (index - 1) * width for p in positions]
        top.bar(offsets, values or [0], width, label=name, color=colour)
    top.set_title("Candidatures, présentations et recrutements par marché", fontsize=11)
    _axis(top, positions, labels, crowded, max((v for _n, vs in series for v in vs), default=0))
    top.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: count_fr(value)))
    top.legend(fontsize=8, frameon=False)
    top.spines[["top", "right"]].set_visible(False)

    required = [m.figures.hours_required or 0 for m in markets]
    projected = [m.figures.hours_projected for m in markets]
    half = 0.38
    bottom.bar([p - half / 2 for p in positions], required or [0], half,
               label="Heures requises par la clause", color=_HOURS[0])
    bottom.bar([p + half / 2 for p in positions], projected or [0], half,
               label="Heures projetées des contrats retenus", color=_HOURS[1])
    bottom.set_title("Heures d'insertion : projetées et requises par marché", fontsize=11)
    _axis(bottom, positions, labels, crowded, max([*required, *projected], default=0))
    bottom.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: count_fr(value)))
    bottom.legend(fontsize=8, frameon=False)
    bottom.spines[["top", "right"]].set_visible(False)
    # fixed margins: tight_layout would draw the figure once more to measure it
    figure.subplots_adjust(left=0.09, right=0.98, top=0.95, bottom=0.14 if crowded else 0.08,
                           hspace=0.55 if crowded else 0.42)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=_DPI)
    return out.getvalue()
