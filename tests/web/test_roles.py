"""Role pages show the catalogue's facts with their sources."""

from __future__ import annotations

import re
from html import escape

import pytest

ROLE_FACTS = {
    "production-manager": ["Operations Manager", "CPIM", "3 years", "Exploring careers"],
    "head-of-production": [
        "Supply chain and inventory",
        "Weights revised on",
        "calls health and safety paramount",
        "Vice President of Production",
        "High-school diploma",
        "What Does a Head Of Production Do?",
    ],
    "production-executive": [
        "Production Director / Vice President of Production / Industrial Production Manager",
        "$97,140",
        "$127,590",
        "2016",
        "Industrial technology",
        "Job Description for a Production Executive",
    ],
    "chief-production-officer": [
        "10 years",
        "MBA",
        "$105,919",
        "Associate product manager",
        "How To Become a Chief Production Officer in 4 Steps",
    ],
}


@pytest.mark.parametrize("slug", sorted(ROLE_FACTS))
def test_role_page_shows_titles_skills_qualifications_salary_and_sources(client, slug):
    response = client.get(f"/roles/{slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for fact in ROLE_FACTS[slug]:
        assert fact in html, fact
    for heading in ("Skills and how much each counts", "Qualifications", "Career path", "Salary"):
        assert heading in html


def test_roles_list_shows_all_four_in_order(client):
    html = client.get("/roles").get_data(as_text=True)
    positions = [
        html.index(name)
        for name in (
            "Production Manager",
            "Head of Production",
            "Production Executive",
            "Chief Production Officer",
        )
    ]
    assert positions == sorted(positions)


@pytest.mark.parametrize("slug", ["nope", "production_manager", "PRODUCTION-MANAGER", "x" * 300])
def test_unknown_slug_is_a_404_page(client, slug):
    response = client.get(f"/roles/{slug}")
    assert response.status_code == 404
    assert b"Page not found" in response.data


def test_unknown_url_is_a_404_page(client):
    response = client.get("/definitely/not/here")
    assert response.status_code == 404
    assert b"Page not found" in response.data


@pytest.mark.parametrize("slug", sorted(ROLE_FACTS))
def test_role_page_names_each_source_once(app, client, slug):
    """The page cites its main source once at the top; a section names a source only when it
    has another, by its number in the list at the end, which holds each source once."""
    role = app.extensions["catalogue"].roles[slug]
    sources = app.extensions["catalogue"].sources
    html = client.get(f"/roles/{slug}").get_data(as_text=True)
    source_list = re.search(r'<ol class="source-list">(.*?)</ol>', html, re.S)
    assert source_list is not None
    cited = re.findall(r"<li><cite>([^<]+)</cite>", source_list.group(1))
    assert cited == [escape(sources[sid].title, quote=True) for sid in role.cited]
    main = escape(sources[role.cited[0]].title, quote=True)
    assert html.count(f"<cite>{main}</cite>") == 2  # at the top and in the list
    notes = re.findall(r'<p class="sources">Sources?: ([^<]+)</p>', html)
    sections = 10
    assert len(notes) < sections
    for note in notes:
        assert re.fullmatch(r"\[\d+\](, \[\d+\])*", note)
        assert note != "[1]"


def test_role_cards_leave_out_an_empty_also_line(client):
    html = client.get("/roles").get_data(as_text=True)
    assert "Also: —" not in html
    assert "Also: Operations Manager" in html


def test_every_page_links_the_svg_favicon(client):
    html = client.get("/roles").get_data(as_text=True)
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert link is not None
    icon = client.get(link.group(1))
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    assert icon.get_data(as_text=True).startswith("<svg")
