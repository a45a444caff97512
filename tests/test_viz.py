"""Figures: structure of the traces built from small hand-made frames, and JSON without any CDN."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pandas as pd
import plotly.colors
import plotly.io as pio
import pytest

from orgnet.silos import silo_pairs
from orgnet.viz import MISSING_COLOR, MISSING_LABEL, PALETTE, TEMPLATE, category_colors, scale_sizes
from orgnet.viz.advocates import advocate_bar
from orgnet.viz.growth import growth_panels, movers_chart
from orgnet.viz.network import WEBGL_THRESHOLD, group_network_figure, network_figure
from orgnet.viz.reach import reach_curve
from orgnet.viz.silos import RATIO_SPAN, SUPPRESSED_HOVER, ei_bar, matrix_change_heatmap, silo_heatmap, silo_ratio_heatmap


def people(n: int = 5) -> pd.DataFrame:
    departments = ["Eng", "Sales", "Eng", None, "Legal"]
    return pd.DataFrame(
        {
            "id": [f"P{i}" for i in range(n)],
            "x": np.arange(n, dtype=float),
            "y": np.arange(n, dtype=float) % 3,
            "label": [f"Person {i}" for i in range(n)],
            "department": [departments[i % 5] for i in range(n)],
            "pagerank": np.linspace(0.1, 0.9, n),
        }
    )


def ties() -> pd.DataFrame:
    return pd.DataFrame({"source": ["P0", "P1", "P2", "P3"], "target": ["P1", "P2", "P3", "P4"], "weight": [1.0, 2.0, 3.0, 10.0]})


def role(figure, name: str):
    return [t for t in figure.data if (t.meta or {}).get("role") == name]


def assert_self_contained(figure) -> None:
    text = figure.to_json()
    json.loads(text)
    assert "cdn" not in text.lower()


def test_small_network_uses_svg_scatter_one_trace_per_department():
    figure = network_figure(people(), ties(), color_by="department")
    nodes = role(figure, "nodes")
    assert {t.type for t in nodes} == {"scatter"}
    assert [t.name for t in nodes] == ["Eng", "Legal", "Sales", MISSING_LABEL]
    assert sum(len(t.x) for t in nodes) == 5
    ids = sorted(i for t in nodes for i in t.customdata)
    assert ids == ["P0", "P1", "P2", "P3", "P4"]
    eng = next(t for t in nodes if t.name == "Eng")
    assert list(eng.customdata) == ["P0", "P2"]
    assert eng.marker.color == category_colors(["Eng", "Legal", "Sales"])["Eng"] == PALETTE[0]
    assert next(t for t in nodes if t.name == MISSING_LABEL).marker.color == MISSING_COLOR
    assert "Person 0" in eng.text[0] and "pagerank" in eng.text[0]
    # orgnet's template, not plotly's default grey one: the same figure on every page and report.
    assert figure.layout.template == pio.templates[TEMPLATE] != pio.templates["plotly"]
    assert figure.layout.xaxis.showgrid is False and figure.layout.yaxis.showgrid is False
    assert_self_contained(figure)


def test_community_legends_read_numbers_as_numbers():
    nodes = pd.DataFrame(
        {
            "id": list("abcde"),
            "x": [0.0, 1, 2, 3, 4],
            "y": [0.0] * 5,
            "community": ["community 10", "community 2", "community 1", None, "community 2"],
        }
    )
    nodes_traces = role(network_figure(nodes, None, color_by="community"), "nodes")
    assert [t.name for t in nodes_traces] == ["community 1", "community 2", "community 10", MISSING_LABEL]
    # The palette follows the same order, so community 2 keeps the second colour whether or not community 10 exists.
    colors = category_colors(["community 10", "community 2", "community 1"])
    assert [colors[f"community {c}"] for c in (1, 2, 10)] == PALETTE[:3]


def test_large_network_switches_to_webgl():
    n = WEBGL_THRESHOLD + 1
    nodes = people(n)
    figure = network_figure(nodes, None, color_by="pagerank")
    assert [t.type for t in figure.data] == ["scattergl"]
    assert len(figure.data[0].x) == n
    assert figure.data[0].marker.showscale is True
    assert figure.data[0].marker.colorbar.title.text == "pagerank"
    below = network_figure(people(WEBGL_THRESHOLD), None, color_by="pagerank")
    assert [t.type for t in below.data] == ["scatter"]
    assert {t.type for t in network_figure(people(), ties(), webgl=True).data} == {"scattergl"}


def test_edges_are_segments_separated_by_none():
    figure = network_figure(people(), ties(), color_by=None)
    edges = role(figure, "edges")
    xs = [x for t in edges for x in t.x]
    assert len(xs) == 3 * len(ties())
    for trace in edges:
        assert len(trace.x) % 3 == 0
        assert all(v is None for v in trace.x[2::3]) and all(v is None for v in trace.y[2::3])
        assert all(v is not None for v in trace.x[0::3])
    # The heaviest tie (P3 -> P4, weight 10) is in the widest trace, the lightest (P0 -> P1) in the thinnest.
    segments = {t.line.width: {tuple(t.x[i : i + 2]) for i in range(0, len(t.x), 3)} for t in edges}
    assert (3.0, 4.0) in segments[max(segments)]
    assert (0.0, 1.0) in segments[min(segments)] and max(segments) > min(segments)
    assert figure.layout.meta["edges_left_out"] == 0


def test_edges_beyond_the_cap_drop_the_weakest():
    figure = network_figure(people(), ties(), max_edges=2)
    coordinates = sorted(tuple(t.x[i : i + 2]) for t in role(figure, "edges") for i in range(0, len(t.x), 3))
    assert coordinates == [(2.0, 3.0), (3.0, 4.0)]
    assert figure.layout.meta["edges_left_out"] == 2


def test_sizes_are_scaled_into_the_pixel_range():
    figure = network_figure(people(), ties(), color_by="department", size_by="pagerank", size_range=(5.0, 30.0))
    sizes = np.concatenate([np.asarray(t.marker.size, dtype=float) for t in role(figure, "nodes")])
    assert sizes.min() == pytest.approx(5.0)
    assert sizes.max() == pytest.approx(30.0)
    assert np.all((sizes >= 5.0) & (sizes <= 30.0))
    assert scale_sizes([3, 3, 3], (4, 8)).tolist() == [6.0, 6.0, 6.0]
    assert scale_sizes([0, None, 4], (4, 8)).tolist() == [4.0, 4.0, 8.0]


def test_highlight_dims_everyone_outside_the_ego_network():
    figure = network_figure(people(), ties(), color_by=None, highlight="P2")
    (nodes,) = role(figure, "nodes")
    opacity = dict(zip(nodes.customdata, nodes.marker.opacity))
    assert opacity["P1"] == opacity["P2"] == opacity["P3"] == 1.0
    assert opacity["P0"] < 0.5 and opacity["P4"] < 0.5
    outline = dict(zip(nodes.customdata, nodes.marker.line.width))
    assert outline["P2"] > outline["P1"]
    ego_edges = [t for t in role(figure, "edges") if t.opacity > 0.5]
    assert len(ego_edges) == 1 and len(ego_edges[0].x) == 6
    (unknown,) = role(network_figure(people(), ties(), color_by=None, highlight="nobody"), "nodes")
    assert set(unknown.marker.opacity) == {1.0}


def test_group_view_sizes_groups_by_member_count():
    groups = pd.DataFrame(
        {
            "group": ["Eng", "Sales", "Legal"],
            "x": [0.0, 1.0, 2.0],
            "y": [0.0, 1.0, 0.0],
            "size": [100, 10, 1],
            "internal_weight": [50.0, 5.0, 0.0],
        }
    )
    links = pd.DataFrame({"source_group": ["Eng", "Eng"], "target_group": ["Sales", "Legal"], "weight": [3.0, 1.0]})
    figure = group_network_figure(groups, links)
    nodes = role(figure, "nodes")
    assert sorted(i for t in nodes for i in t.customdata) == ["Eng", "Legal", "Sales"]
    size = {t.customdata[0]: t.marker.size[0] for t in nodes}
    assert size["Eng"] == pytest.approx(60.0) and size["Legal"] == pytest.approx(12.0)
    assert sum(len(t.x) for t in role(figure, "edges")) == 6
    assert_self_contained(figure)


def matrix() -> pd.DataFrame:
    labels = ["Eng", "Sales", "Tiny"]
    return pd.DataFrame(
        [[10, 2, 1], [3, 8, 0], [1, 0, 1]], index=pd.Index(labels, name="source_group"), columns=pd.Index(labels, name="target_group")
    )


def test_silo_heatmap_blanks_suppressed_groups():
    figure = silo_heatmap(matrix(), "ties", suppressed={"Tiny"})
    (trace,) = figure.data
    assert trace.type == "heatmap"
    z = [list(row) for row in trace.z]
    assert z[0][:2] == [10, 2] and z[1][:2] == [3, 8]
    assert z[2] == [None, None, None] and [row[2] for row in z] == [None, None, None]
    assert trace.customdata[2][0] == SUPPRESSED_HOVER and trace.customdata[0][2] == SUPPRESSED_HOVER
    assert SUPPRESSED_HOVER not in trace.customdata[0][1] and "Eng → Sales" in trace.customdata[0][1]
    assert trace.text[2][2] == "" and trace.text[0][0] == "10"
    assert figure.layout.yaxis.autorange == "reversed"
    assert_self_contained(figure)


def test_silo_ratio_heatmap_shows_pairs_against_what_sizes_predict():
    # Three groups of two: 3 ties cross groups, each pair of groups expects one (orgnet.silos.silo_pairs' doctest).
    graph = nx.Graph([("A1", "B1"), ("A2", "B2"), ("A1", "C1"), ("A1", "A2")])
    nx.set_node_attributes(graph, {p: p[0] for p in ("A1", "A2", "B1", "B2", "C1", "C2")}, "department")
    graph.add_node("C2", department="C")
    figure = silo_ratio_heatmap(silo_pairs(graph), ["A", "B", "C"], within={"A": 1, "B": 0, "C": 0}, kind="department")
    (trace,) = figure.data
    # log2 of the ratio: A-B got twice its share, A-C its share, B-C none (clipped to the scale's end); symmetric.
    assert trace.z[0][1] == trace.z[1][0] == pytest.approx(1.0)
    assert trace.z[0][2] == pytest.approx(0.0)
    assert trace.z[1][2] == trace.z[2][1] == -RATIO_SPAN
    assert [trace.z[i][i] for i in range(3)] == [None, None, None]
    assert trace.zmid == 0 and trace.zmin == -RATIO_SPAN and trace.zmax == RATIO_SPAN
    assert trace.customdata[1][2] == "B and C: 0 ties, 1 expected (0× what their sizes predict)<br>a silo: under 0.2×"
    assert trace.customdata[0][1] == "A and B: 2 ties, 1 expected (2× what their sizes predict)"
    assert trace.customdata[0][0] == "A: 1 tie within the group (not compared)"
    assert trace.text[0][1] == "2×" and trace.text[0][0] == ""
    assert figure.layout.xaxis.title.text == "department"
    hidden = silo_ratio_heatmap(silo_pairs(graph), ["A", "B", "C"], suppressed={"C"}).data[0]
    assert hidden.z[0][2] is None and hidden.customdata[0][2] == SUPPRESSED_HOVER
    assert_self_contained(figure)


def test_silo_heatmap_takes_a_mask():
    mask = np.zeros((3, 3), dtype=bool)
    mask[0, 1] = True
    (trace,) = silo_heatmap(matrix(), suppressed=mask).data
    assert trace.z[0][1] is None and trace.z[1][0] == 3
    assert trace.customdata[0][1] == SUPPRESSED_HOVER


def test_matrix_change_heatmap_is_the_difference_centred_on_zero():
    before = matrix()
    after = matrix() + 1
    after.loc["Eng", "Sales"] = 0
    (trace,) = matrix_change_heatmap(before, after, suppressed={"Tiny"}).data
    assert trace.z[0][0] == 1 and trace.z[0][1] == -2
    assert trace.z[2][0] is None
    assert trace.zmid == 0 and trace.zmin == -trace.zmax
    assert trace.text[0][1] == "-2"


def test_ei_bar_is_fixed_on_minus_one_to_one():
    ei = pd.DataFrame({"group": ["Eng", "Sales", "Legal"], "ei_index": [0.5, -0.8, np.nan], "size": [10, 20, 2]})
    figure = ei_bar(ei)
    (bar,) = figure.data
    assert list(bar.y) == ["Sales", "Eng", "Legal"]
    assert list(bar.x) == [-0.8, 0.5, None]
    # Colours as colours (a number makes plotly.js warn "Invalid color specifier"), on RdBu fixed on [-1, 1].
    assert all(isinstance(c, str) for c in bar.marker.color)
    assert bar.marker.color[0] == plotly.colors.sample_colorscale("RdBu", [0.1])[0]
    assert bar.marker.color[1] == plotly.colors.sample_colorscale("RdBu", [0.75])[0]
    assert "suppressed" in bar.customdata[2]
    assert figure.layout.xaxis.range[0] <= -1 and figure.layout.xaxis.range[1] >= 1


def test_reach_curve_reference_lines_at_the_given_values():
    curve = pd.DataFrame({"k": [1, 2, 3, 4], "unique_reach": [500, 900, 1200, 1350]})
    before = pd.DataFrame({"k": [1, 2, 3], "unique_reach": [400, 700, 800]})
    figure = reach_curve(curve, follower_sum=2000, brand_reach=1500, before=before)
    assert [list(t.y) for t in figure.data] == [[400, 700, 800], [500, 900, 1200, 1350]]
    assert [t.name for t in figure.data] == ["before", "after"]
    lines = sorted((s.y0, s.y1) for s in figure.layout.shapes)
    assert lines == [(1500, 1500), (2000, 2000)]
    notes = " ".join(a.text for a in figure.layout.annotations)
    assert "2,000" in notes and "1,500" in notes
    assert figure.layout.xaxis.title.text and figure.layout.yaxis.title.text
    assert len(reach_curve(curve, follower_sum=2000).layout.shapes) == 1
    assert_self_contained(figure)


def test_growth_panels_give_each_metric_its_own_axis_and_words():
    table = pd.DataFrame(
        {
            "period": ["2026-08", "2026-09", "2026-10"],
            "ties": [8000, 8500, 9100],
            "density": [0.010, 0.011, 0.012],
            "people_with_ties": [600, 620, 640],
        }
    )
    figure = growth_panels(table, ["people_with_ties", "ties", "density"], {"people_with_ties": "people with ties"})
    assert [(t.xaxis, t.yaxis) for t in figure.data] == [("x", "y"), ("x2", "y2"), ("x3", "y3")]
    assert [a.text for a in figure.layout.annotations] == ["people with ties", "ties", "density"]
    assert list(figure.data[2].y) == [0.010, 0.011, 0.012] and list(figure.data[0].x) == ["2026-08", "2026-09", "2026-10"]
    assert figure.layout.xaxis3.title.text == "period" and figure.data[0].name == "people with ties"
    # Four metrics on three columns: two rows.
    assert growth_panels(table.assign(more=1), ["ties", "density", "people_with_ties", "more"]).data[3].yaxis == "y4"
    assert_self_contained(figure)


def test_movers_chart_diverges_around_zero():
    movers = pd.DataFrame({"label": ["Ann", "Bob", "Cy", "Di"], "rank_change": [5, -3, 0, 12]})
    (bar,) = movers_chart(movers).data
    assert list(bar.y) == ["Di", "Ann", "Bob"]
    assert list(bar.x) == [12, 5, -3]
    assert bar.marker.color[0] != bar.marker.color[2]
    assert list(movers_chart(movers, top=1).data[0].y) == ["Di", "Bob"]


def test_advocate_bar_stacks_components_in_rank_order():
    scores = pd.DataFrame(
        {"person_id": ["E1", "E2", "E3"], "score": [0.5, 0.9, 0.2], "reach": [0.3, 0.4, 0.1], "engagement": [0.2, 0.5, 0.1]}
    )
    figure = advocate_bar(scores, ["reach", "engagement"], top=2)
    assert [t.name for t in figure.data] == ["reach", "engagement"]
    assert list(figure.data[0].y) == ["E2", "E1"]
    assert figure.layout.barmode == "stack"
    assert_self_contained(figure)


def test_side_labels_give_crowded_nodes_separate_places_in_their_order():
    from orgnet.viz.network import side_labels

    # Five communities within 0.01 of each other, one far away: labels beside their nodes would overlap.
    nodes = pd.DataFrame(
        {
            "group": list("abcdef"),
            "label": [f"Engineering 100% (community {i})" for i in range(6)],
            "x": [0.0, 0.004, 0.01, 0.002, 0.008, 1.0],
            "y": [0.0, 0.003, 0.001, 0.009, 0.006, 1.0],
            "size": [10] * 6,
        }
    )
    figure = side_labels(group_network_figure(nodes, None, show_labels=False), nodes)
    notes = {a.name: a for a in figure.layout.annotations}
    assert sorted(notes) == sorted(nodes["label"])
    # One column right of every node (8% of the width beyond it); heights evenly spaced 0.22 apart (the height and
    # 5% each side, 1.1, over 5 gaps), none shared.
    assert [a.ax for a in notes.values()] == pytest.approx([1.08] * 6) and all(
        a.axref == "x" and a.xanchor == "left" for a in notes.values()
    )
    heights = sorted(a.ay for a in notes.values())
    assert heights == pytest.approx([-0.05 + 0.22 * k for k in range(6)])
    # Each leader line ends at its node, and labels keep the nodes' vertical order (the lines do not cross).
    for row in nodes.itertuples():
        assert (notes[row.label].x, notes[row.label].y) == (row.x, row.y)
    by_node = [notes[label].ay for label in nodes.sort_values("y")["label"]]
    assert by_node == sorted(by_node)
