"""Chart geometry computed in Python (the templates only draw it)."""

from __future__ import annotations

from datetime import date

from app.services.charts import _y, band_chart, day_label, line_chart


def test_same_day_attempts_share_one_date_label():
    chart = line_chart(["25 Nov", "25 Nov", "25 Nov", "26 Nov"], [("Overall", [10, 20, 30, 40])])
    assert [text for _, text in chart.x_labels] == ["25 Nov", "26 Nov"]
    assert len(chart.series[0].points) == 4


def test_band_chart_places_estimate_inside_its_band():
    chart = band_chart([("Leadership", (62.0, 51.0, 72.0)), ("Marketing", None)])
    lead, marketing = chart.rows
    assert lead.low < lead.score < lead.high
    assert marketing.score is None
    assert chart.plot_left < lead.low < lead.high < chart.plot_right
    assert lead.y < marketing.y < chart.height


def test_points_skip_gaps_and_clamp_to_the_plot_like_the_axis():
    chart = line_chart(["a", "b", "c", "d", "e"], [("Overall", [-5.0, None, 50.0, 120.0, 33.3])])
    xs = [f"{x:.1f}" for x in (40.0, 187.0, 334.0, 481.0, 628.0)]
    expected = [(xs[i], f"{_y(v):.1f}") for i, v in [(0, 0.0), (2, 50.0), (3, 100.0), (4, 33.3)]]
    assert list(chart.series[0].points) == expected
    top, bottom = chart.y_ticks[-1][0], chart.y_ticks[0][0]  # 100 and 0 on the axis
    assert float(chart.series[0].points[0][1]) == bottom
    assert float(chart.series[0].points[2][1]) == top


def test_day_labels_read_as_strftime_would():
    days = [date(2024, month, day) for month in range(1, 13) for day in (1, 9, 28)]
    assert [day_label(d) for d in days] == [d.strftime("%d %b") for d in days]
