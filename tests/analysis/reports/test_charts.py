"""Chart geometry (pure) and the SVG templates that draw it: text alternatives, tables, escaping."""

from __future__ import annotations

import pytest

from analysis.reports import charts
from lab.app import TEMPLATE_FOLDERS
from lab.templating import build_templates

HEAD = ["Étape", "Atteinte par"]


def test_funnel_bars_are_proportional_to_the_widest_step():
    chart = charts.funnel("f", "Titre", "Desc", [("1. A", 20, 2, "20"), ("2. B", 10, 5, "10"), ("3. C", 0, 0, "0")], HEAD, [])
    span = charts.WIDTH - 120
    a, b, c = chart.rows
    assert (a.width, a.rest) == (pytest.approx(span * 18 / 20), pytest.approx(span * 2 / 20))
    assert (b.width, b.rest) == (pytest.approx(span * 5 / 20), pytest.approx(span * 5 / 20))
    assert (c.width, c.rest) == (0, 0)
    assert b.bar_y - a.bar_y == charts.ROW and a.label_y < a.bar_y
    assert a.text_x == pytest.approx(a.width + a.rest + 2 + 6)
    assert chart.height == 24 + 3 * charts.ROW + 4


def test_empty_charts_do_not_divide_by_zero():
    assert charts.funnel("f", "t", "d", [("A", 0, 0, "0")], HEAD, []).rows[0].width == 0
    assert charts.bars("b", "t", "d", [], HEAD, []).rows == []
    assert charts.paired("p", "t", "d", [("x", None, 0, "", "")], HEAD, []).rows[0].after == 0


def test_bars_use_the_given_maximum():
    chart = charts.bars("b", "t", "d", [("Oui", 0.5, "50 %"), ("Non", 0.25, "25 %")], HEAD, [], maximum=1.0)
    assert [row.width for row in chart.rows] == [pytest.approx(260), pytest.approx(130)]


def test_intervals_map_the_scale_top_down_and_clamp():
    chart = charts.intervals("s", "t", "d", [("v1", 0, -10, 50, "0", False), ("v2", 100, 90, 130, "100", True),
                                             ("v3", None, None, None, "moins de 5", False)], HEAD, [],
                             reference=(68, "moyenne : 68"))
    e = chart.extra
    v1, v2, v3 = chart.rows
    assert v1.y == e["bottom"] and v2.y == e["top"] and v1.low == e["bottom"]  # -10 clamped to 0
    assert v2.high == e["top"]  # 130 clamped to 100
    assert v3.y is None and v1.x < v2.x < v3.x
    assert e["reference"][1] == pytest.approx(e["bottom"] - 0.68 * (e["bottom"] - e["top"]))
    assert [tick for tick, _y in e["ticks"]] == [0, 25, 50, 75, 100]


def test_sparkline_points():
    spark = charts.sparkline([0.0, None, 1.0])
    assert spark.dots == [(4.0, 28.0), (116.0, 4.0)]
    assert spark.points == "4.0,28.0 116.0,4.0" and spark.last == (116.0, 4.0)
    assert charts.sparkline([0.5]).dots == [(60.0, 16.0)]
    assert charts.sparkline([None]).last is None


@pytest.fixture(scope="module")
def env():
    return build_templates(TEMPLATE_FOLDERS).env


def render(env, template: str, **context) -> str:
    return env.get_template(f"reports/{template}").render(**context)


def test_chart_template_has_a_text_alternative_and_a_data_table(env):
    chart = charts.funnel("chart-x", "Parcours <b>", "2 étapes & 3 personnes", [("1. <script>alert(1)</script>", 3, 1, "3")],
                          ["Étape", "Atteinte par"], [["1. <script>", "3"]])
    html = render(env, "_chart_funnel.html", chart=chart, printing=False)
    assert '<svg class="chart__svg" role="img" aria-labelledby="chart-x-t" aria-describedby="chart-x-d"' in html
    assert '<title id="chart-x-t">Parcours &lt;b&gt;</title>' in html
    assert '<desc id="chart-x-d">2 étapes &amp; 3 personnes</desc>' in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<details class=\"chart-data\">" in html and '<th scope="row">1. &lt;script&gt;</th><td class="num">3</td>' in html
    printed = render(env, "_chart_funnel.html", chart=chart, printing=True)
    assert "<details" not in printed and "<caption>Données : Parcours &lt;b&gt;</caption>" in printed


@pytest.mark.parametrize("template, chart", [
    ("_chart_bars.html", charts.bars("c", "t", "d", [("Oui", 1.0, "100 %")], HEAD, [["Oui", "1"]], maximum=1.0)),
    ("_chart_intervals.html", charts.intervals("c", "t", "d", [("v1", 70, 60, 80, "70", True)], HEAD, [["v1", "70"]],
                                               reference=(68, "moyenne : 68"))),
    ("_chart_paired.html", charts.paired("c", "t", "d", [("Thème", 3, 5, "v1 : 3", "v2 : 5")], HEAD + ["v1", "v2"],
                                         [["Thème", "3"]])),
])
def test_every_chart_template_is_labelled(env, template, chart):
    html = render(env, template, chart=chart, printing=False)
    assert 'role="img" aria-labelledby="c-t" aria-describedby="c-d"' in html and '<title id="c-t">t</title>' in html
    assert '<desc id="c-d">d</desc>' in html and "<table" in html and 'style="' not in html  # the CSP forbids inline styles


def test_sparkline_template_speaks_its_values(env):
    html = render(env, "_chart_sparkline.html", spark=charts.sparkline([0.5, 0.75]), spark_text="v1 50 %, v2 75 %")
    assert 'role="img" aria-label="v1 50 %, v2 75 %"' in html and "<title>v1 50 %, v2 75 %</title>" in html
    assert '<polyline points="4.0,16.0 116.0,10.0"' in html
