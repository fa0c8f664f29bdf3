"""The site build's parts on their own: share cards, the worker pool, fill-in patterns."""

from __future__ import annotations

import multiprocessing
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from tinytorch_board.board.site.markup import FillIn, markers
from tinytorch_board.board.site.workers import WorkerPool, can_fork
from tinytorch_board.cards import card_name, card_score, esc, share_card, student_card

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("score", "drawn"), [(61.4, "61"), (61.5, "62"), (0.0, "0"), (99.95, "100")]
)
def test_cards_draw_whole_points_and_no_standing(score, drawn):
    card = student_card("Board", score, "baseline · suite 2 · numpy", 3, 1)
    texts = [t.text for t in ET.fromstring(card).iter(f"{SVG_NS}text")]
    assert texts[1] == drawn == card_score(score)
    assert "Top" not in card and "%" not in card and "rank" not in card


def test_share_card_draws_progress_and_escapes_every_text():
    card = share_card(
        "A <b> & 'c'", 61.25, "baseline benchmark · numpy backend", modules=7, milestones=2
    )
    doc = ET.fromstring(card)
    texts = [t.text for t in doc.iter(f"{SVG_NS}text")]
    assert texts[:2] == ["A <b> & 'c'", "61.2"] and "Modules 7/20" in texts
    circles = list(doc.iter(f"{SVG_NS}circle"))
    assert [c.get("class") for c in circles] == [None, None, "o", "o", "o", "o"]
    assert card_name(card) == card_name(str(card)) != card_name(card.replace("61.2", "61.3"))
    assert len(card_name(card)) == 20


def _square(job, task):
    return job * task * task


def _fail_on_three(job, task):
    if task == 3:
        raise ValueError("task 3 failed")
    return task


@pytest.mark.parametrize("parallel", [False, True])
def test_worker_pool_gives_results_in_task_order(parallel):
    if parallel and not can_fork():
        pytest.skip("no fork here")
    with WorkerPool(_square, 2, range(20), parallel) as pool:
        assert list(pool.results()) == [2 * t * t for t in range(20)]
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("parallel", [False, True])
def test_a_failed_task_stops_the_pool_with_its_error(parallel):
    if parallel and not can_fork():
        pytest.skip("no fork here")
    got = []
    pool = WorkerPool(_fail_on_three, None, range(6), parallel)
    with pytest.raises(ValueError, match="task 3"), pool:
        for result in pool.results():
            got.append(result)
    assert got == [0, 1, 2]  # those before the failed task, in order
    assert multiprocessing.active_children() == []


def test_fill_in_escapes_values_keeps_braces_and_repeats_fields():
    marks = markers(("id", "name"))
    source = Markup("<a href={x}/") + marks["id"] + Markup(">") + marks["name"]
    source += Markup("</a>{{ literal }} ") + marks["id"]
    pattern = FillIn(source, ("id", "name"), "test")
    assert pattern.fill("7", "<b>") == "<a href={x}/7>&lt;b&gt;</a>{{ literal }} 7"
    assert pattern.fill(Markup("<i>"), "n") == "<a href={x}/<i>>n</a>{{ literal }} <i>"


def test_fill_in_inserts_raw_fields_as_they_are():
    marks = markers(("text", "html"))
    pattern = FillIn(marks["text"] + Markup("|") + marks["html"], ("text", "html"), "t", ("html",))
    assert pattern.fill("<i>", "<i>") == "&lt;i&gt;|<i>"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="<>&\"'ab\u202e"))
def test_card_escaping_is_xml_escaping(text):
    from xml.sax.saxutils import escape

    assert esc(text) == escape(text, {'"': "&quot;", "'": "&#39;"})
