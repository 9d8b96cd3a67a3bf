"""The organisation picture: departments, boundaries, and customers moving through them.

Departments are rooms on an ellipse (wide, as a projector is); each boundary a journey crosses is
an arrow, red and thicker the more handoffs failed on it today. Customers on a journey are dots in
the room of the department whose stage they are at (a fixed sample when there are many), coloured
by satisfaction, in queue order: as a department works its queue the dots move on. A failed handoff
today is a red dot bouncing back from the receiving department toward the sender; the customers
who left today drop into a tray at the bottom.

Drawn with matplotlib as SVG, so the page can show it inline: it scales to any screen and each
dot is an element a browser test can read (`<g id="customers">`, `<g id="bounced">`).
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["text.parse_math"] = False  # names are plain text: a "$" in a department name is not maths
from matplotlib import colormaps  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

SATISFACTION = colormaps["RdYlGn"]  # 0 red (about to leave) .. 1 green (a promoter)
FAILED, QUIET, OK, OVERLOADED = "#C44E52", "#BBBBBB", "#4C72B0", "#C44E52"
WIDE = 1.74  # the picture's half-width in its own units (its height is 2.16: about the figure's shape)
FIGURE = (11.0, 7.2)  # inches; the axes take the lower 90%, a unit about as long across as up
BEND = 0.1  # how far a boundary's arrow bends (a->b and b->a stay apart)
TEXT = 12.5  # a department's text size [pt of the figure; the page scales the picture to the screen]
UNITS_PER_PT = 2.16 / (FIGURE[1] * 0.9 * 72)  # picture units per point: the axes' height in units over points


@dataclass(frozen=True)
class Room:
    """A department's place in the picture: a box with its name and numbers on top and its
    customers as rows of dots below them."""

    x: float
    y: float
    w: float  # half-width
    h: float  # half-height

    def edge(self, toward: tuple[float, float]) -> tuple[float, float]:
        """Where the line from the centre toward a point leaves the box."""
        dx, dy = toward[0] - self.x, toward[1] - self.y
        t = min(self.w / abs(dx) if dx else math.inf, self.h / abs(dy) if dy else math.inf)
        return self.x + t * dx, self.y + t * dy

    def first_row(self, text: float, step: float) -> float:
        """Where the first row of dots goes: under the room's text (`text` deep, in picture units)."""
        return self.y + self.h * 0.93 - text - 0.6 * step

    def rows(self, per_row: int, text: float) -> int:
        """How many rows of dots fit under the room's text."""
        step = 2 * self.w / (per_row + 1)
        return max(1, int((self.first_row(text, step) - (self.y - self.h)) / step))

    def dot(self, i: int, per_row: int, text: float) -> tuple[float, float]:
        row, col = divmod(i, per_row)
        step = 2 * self.w / (per_row + 1)
        return self.x - self.w + step * (col + 1), self.first_row(text, step) - row * step


def rooms(n: int) -> list[Room]:
    """Where n departments sit: up to eight on an ellipse, the first at the top, clockwise; more
    (silos after a split) in a grid, row by row, so a department's silos sit side by side."""
    if n <= 8:
        return [Room(1.45 * math.sin(2 * math.pi * i / n), 0.66 * math.cos(2 * math.pi * i / n), 0.42, 0.28)
                for i in range(n)]
    columns = math.ceil(math.sqrt(n * 1.6))
    rows = math.ceil(n / columns)
    width, height = 2 * WIDE / columns, 1.9 / rows
    return [Room(-WIDE + width * (i % columns + 0.5), 0.95 - height * (i // columns + 0.5),
                 0.42 * width, 0.36 * height) for i in range(n)]


def bezier(p0, p2, t: float) -> tuple[float, float]:
    """The point at t on matplotlib's arc3 curve from p0 to p2 (bend BEND)."""
    cx = (p0[0] + p2[0]) / 2 + BEND * (p2[1] - p0[1])
    cy = (p0[1] + p2[1]) / 2 - BEND * (p2[0] - p0[0])
    u = 1 - t
    return u * u * p0[0] + 2 * u * t * cx + t * t * p2[0], u * u * p0[1] + 2 * u * t * cy + t * t * p2[1]


def sampled_customers(model, at_most: int) -> list:
    """The customers on a journey, thinned to at most `at_most` by a fixed rule (every k-th by id), so
    the same customers stay in the picture from one day to the next."""
    busy = [c for c in model.customers if c.journey is not None]
    if len(busy) <= at_most:
        return busy
    k = math.ceil(len(busy) / at_most)
    return [c for c in busy if c.unique_id % k == 0][:at_most]


def customer_places(model, places: list[Room], at_most: int, text: float) -> tuple[list, list, list, dict]:
    """x, y and satisfaction of each sampled customer, in rows in its department's room (those in the
    queue first, in queue order), and how many did not fit in each room."""
    sample = sampled_customers(model, at_most)
    chosen = {id(c) for c in sample}
    rank: dict[int, int] = {}
    for d in model.departments:
        for i, c in enumerate(c for c in d.queue if id(c) in chosen):
            rank[id(c)] = i
    by_dept: dict[int, list] = {}
    for c in sorted(sample, key=lambda c: (rank.get(id(c), 10**9), c.unique_id)):
        by_dept.setdefault(c.journey.stages[c.stage].dept, []).append(c)
    per_row = 12
    xs, ys, sat, over = [], [], [], {}
    for d, members in by_dept.items():
        fits = per_row * places[d].rows(per_row, text)
        for i, c in enumerate(members[:fits]):
            x, y = places[d].dot(i, per_row, text)
            xs.append(x)
            ys.append(y)
            sat.append(c.satisfaction)
        over[d] = max(0, len(members) - fits)
    return xs, ys, sat, over


def draw_boundaries(ax, model, places: list[Room], scale: float) -> None:
    today = model.recorder.last_day_pairs
    for a, b in model.boundaries:
        start, end = places[a].edge((places[b].x, places[b].y)), places[b].edge((places[a].x, places[a].y))
        failed = today.get((a, b), 0)
        ax.annotate("", xy=end, xytext=start, zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color=FAILED if failed else QUIET, shrinkA=0, shrinkB=0,
                                    lw=(1.2 + min(failed, 6)) * scale, connectionstyle=f"arc3,rad={BEND}"))


def draw_bounces(ax, model, places: list[Room], at_most: int, scale: float) -> None:
    """Each failed handoff of today (up to `at_most`): a red dot near the receiver's end of its
    arrow, and a short dashed arrow looping back toward the sender."""
    xs, ys = [], []
    for (a, b), n in sorted(model.recorder.last_day_pairs.items()):
        start, end = places[a].edge((places[b].x, places[b].y)), places[b].edge((places[a].x, places[a].y))
        for k in range(min(n, 3)):
            if len(xs) >= at_most:
                break
            x, y = bezier(start, end, 0.8 - 0.07 * k)
            xs.append(x)
            ys.append(y)
            ax.annotate("", xy=bezier(start, end, 0.55 - 0.07 * k), xytext=(x, y), zorder=5,
                        arrowprops=dict(arrowstyle="->", color=FAILED, lw=1.1 * scale, ls="--",
                                        connectionstyle="arc3,rad=-0.6", shrinkA=3, shrinkB=0))
    ax.scatter(xs, ys, s=70 * scale, c=FAILED, edgecolors="white", linewidths=0.8, zorder=6).set_gid("bounced")


def room_text_size(room: Room, scale: float) -> float:
    """A department's text size [pt]: smaller in the small rooms of a split organisation."""
    return TEXT * scale * min(1.0, room.w / 0.3)


def draw_departments(ax, model, places: list[Room], over: dict, scale: float) -> None:
    for d, room in zip(model.departments, places):
        ax.add_patch(FancyBboxPatch((room.x - room.w, room.y - room.h), 2 * room.w, 2 * room.h,
                                    boxstyle="round,pad=0.01,rounding_size=0.04", zorder=1,
                                    fc=(1 - 0.35 * d.culture, 1, 1 - 0.35 * d.culture),
                                    ec=OK if d.load <= 1 else OVERLOADED, lw=1.2 if d.load <= 1 else 2.8))
        more = f"  +{over[d.index]}" if over.get(d.index) else ""
        ax.text(room.x, room.y + room.h * 0.93, f"{d.name}\nworked {d.worked:.0f} of {d.capacity:.0f},\n"
                f"waiting {len(d.queue)}{more}", ha="center", va="top", fontsize=room_text_size(room, scale), zorder=4)


def draw_leavers(ax, model, scale: float) -> None:
    """Today's leavers (churned customers and prospects who gave up) as dots dropped into a tray."""
    row = model.recorder.rows[-1] if model.recorder.rows else {}
    left = int(row.get("churned_today", 0)) + int(row.get("lost_today", 0))
    xs = [WIDE - 0.05 - 0.05 * (i % 12) for i in range(min(left, 36))]
    ys = [-0.98 + 0.05 * (i // 12) for i in range(min(left, 36))]
    ax.scatter(xs, ys, s=30 * scale, c="#777777", marker="v", zorder=5).set_gid("leavers")
    ax.text(WIDE - 0.02, -1.08, f"left the firm today: {left}", ha="right", va="center", fontsize=10 * scale)


def organisation_figure(model, dots: int = 300, bounces: int = 24, scale: float = 1.0) -> Figure:
    """The picture as a matplotlib figure (see the module's docstring)."""
    scale = min(scale, 1.15)  # the picture grows with the screen already: presenter mode adds a little
    fig = Figure(figsize=FIGURE)
    ax = fig.add_axes((0, 0, 1, 0.9))
    places = rooms(len(model.departments))
    text = 3 * 1.25 * room_text_size(places[0], scale) * UNITS_PER_PT  # three lines of a room's text
    xs, ys, sat, over = customer_places(model, places, dots, text)
    draw_departments(ax, model, places, over, scale)
    draw_boundaries(ax, model, places, scale)
    ax.scatter(xs, ys, s=24 * scale, c=sat, cmap=SATISFACTION, vmin=0.0, vmax=1.0, edgecolors="none",
               zorder=3).set_gid("customers")
    draw_bounces(ax, model, places, bounces, scale)
    draw_leavers(ax, model, scale)
    busy = sum(c.journey is not None for c in model.customers)
    ax.text(-WIDE + 0.02, -1.08, f"dots: {len(xs)} of {busy} customers on a journey, coloured by satisfaction "
                                 "(red to green)\nred dot bouncing back: a failed handoff", ha="left", va="center",
            fontsize=10 * scale)
    owners = ", ".join(o.role for o in model.governance.owners) or "nobody"
    failed = sum(model.recorder.last_day_pairs.values())
    outcomes = [i.outcome for i in model.portfolio.done]
    fig.suptitle(f"day {model.day}: {model.regime.name}, CX owned by {owners}; handoffs failed today: {failed}\n"
                 f"CX initiatives: {len(model.portfolio.running)} running, {outcomes.count('succeeded')} worked, "
                 f"{outcomes.count('failed')} failed", fontsize=12.5 * scale, y=0.99, va="top")
    ax.set_xlim(-WIDE, WIDE)
    ax.set_ylim(-1.16, 1.0)
    ax.axis("off")
    return fig


def inline_svg(fig: Figure) -> str:
    """The figure as an `<svg>` element for the page: no XML prologue, and sized by its container
    (its width at most the container's, its height at most what the screen has left)."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "cxsim", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
                  r'<svg\1 width="100%" style="height: auto; display: block"',
                  svg, count=1)
