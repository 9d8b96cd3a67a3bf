"""A lesson's handout: one printable HTML page for students, from the lesson's own file.

The question, the settings the lesson puts on the controls, the charts of a run at those settings
(the seed and horizon the app starts with), what the model was measured to show (each claim of the
lesson's checks, as `cxsim-lessons --write` measured it) and a question to discuss. Everything is
in the one file (the charts inlined), so it opens offline and prints on one A4 page.

    cxsim-lessons --handouts DIR    # one DIR/<lesson>.html per lesson
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from cxsim.app import charts
from cxsim.app.classroom import CLASSROOM, Classroom

STYLE = """
@page { size: A4; margin: 14mm; }
body { font-family: Georgia, serif; max-width: 180mm; margin: 0 auto; color: #111; font-size: 11pt; }
h1 { font-size: 17pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 10pt 0 3pt; }
p, li { margin: 2pt 0; line-height: 1.3; } img { width: 100%; max-height: 105mm; object-fit: contain; }
.settings { color: #333; } .measured { color: #444; font-size: 9.5pt; } footer { font-size: 8pt; color: #666; }
"""


def run_at_lesson(name: str, classroom: Classroom = CLASSROOM):
    """The lesson's model (its settings on the app's starting values), run to its horizon."""
    model = classroom.model(classroom.lesson_values(name))
    while model.running:
        model.step()
    return model


def handout(name: str, classroom: Classroom = CLASSROOM) -> str:
    """The lesson's one-page sheet, as HTML text."""
    lesson = classroom.lessons[name]
    model = run_at_lesson(name, classroom)
    png = base64.b64encode(charts.png_bytes(charts.charts_figure(model, columns=4))).decode()
    settings = ", ".join(f"{classroom.controls[k].label} = {v}" for k, v in lesson["params"].items())
    e = html.escape
    measured = "".join(f"<li>{e(c['claim'])}. <span class='measured'>It {e(c['measured'])}.</span></li>"
                       for c in classroom.measured.get(name, []))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(lesson['title'])}</title><style>{STYLE}</style></head>
<body>
<h1>{e(lesson['title'])}</h1>
<p><b>{e(lesson['question'])}</b></p>
<p class="settings">Settings: {e(settings)}. Then: {e(lesson['then'])}</p>
<h2>A run at these settings (seed {model.cfg.seed}, {model.day} days; {e(model.regime.name)})</h2>
<img alt="charts of the run" src="data:image/png;base64,{png}">
<h2>What the model shows</h2>
<p>{e(lesson['observe'])}</p>
<ul>{measured}</ul>
<h2>To discuss</h2>
<p>{e(lesson['discuss'])}</p>
<footer>cxsim classroom: lesson {e(name)}. Each claim above was checked over paired seeds (cxsim-lessons).</footer>
</body></html>
"""


def write_handouts(folder: Path, classroom: Classroom = CLASSROOM) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in classroom.lessons:
        path = folder / f"{name}.html"
        path.write_text(handout(name, classroom))
        paths.append(path)
    return paths
