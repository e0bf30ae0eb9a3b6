"""Chart geometry computed in Python (the templates only draw it)."""

from __future__ import annotations

from app.services.charts import band_chart, line_chart


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
