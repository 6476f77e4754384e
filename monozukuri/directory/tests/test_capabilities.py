"""The capability taxonomy seed (directory/data/capabilities.json) and its loader."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from django.core.validators import validate_slug
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monozukuri.directory.models import Capability, CapabilityKind
from monozukuri.directory.reference_data import DATA_DIR, capabilities_load

SEED = DATA_DIR / "capabilities.json"
VOCABULARY = Path(__file__).resolve().parents[2] / "search" / "data" / "vocabulary_seed.tsv"
HIRAGANA = re.compile(r"[ぁ-ゖー]+")
DESIGNATION = re.compile(r"[A-Z0-9][A-Z0-9-]*")


def _nodes() -> list[dict]:
    with SEED.open(encoding="utf-8") as f:
        return json.load(f)["capabilities"]


def _fold(text: str) -> str:
    """Width, case and katakana folded, as the search dictionary compares terms."""
    text = unicodedata.normalize("NFKC", text).lower().strip()
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text).rstrip("ー")


NODES = _nodes()
BY_SLUG = {n["slug"]: n for n in NODES}


def _family(slug: str) -> list[dict]:
    """A node, its ancestors and its descendants."""
    family = [BY_SLUG[slug]]
    parent = BY_SLUG[slug]["parent"]
    while parent:
        family.append(BY_SLUG[parent])
        parent = BY_SLUG[parent]["parent"]
    frontier = [slug]
    while frontier:
        children = [n for n in NODES if n["parent"] in frontier]
        family.extend(children)
        frontier = [n["slug"] for n in children]
    return family


# ---- the seed file -------------------------------------------------------------------------------


def test_slugs_are_unique_ascii_slugs():
    slugs = [n["slug"] for n in NODES]
    assert not [s for s, c in Counter(slugs).items() if c > 1]
    for slug in slugs:
        validate_slug(slug)
        assert slug.isascii()
        assert slug == slug.lower()
        assert len(slug) <= 60


def test_every_parent_exists_comes_first_and_has_the_same_kind():
    seen: set[str] = set()
    for node in NODES:
        if node["parent"]:
            assert node["parent"] in seen, f"{node['slug']}: parent {node['parent']} not defined before it"
            assert BY_SLUG[node["parent"]]["kind"] == node["kind"], node["slug"]
        seen.add(node["slug"])


def test_fields_fit_the_model():
    kinds = set(CapabilityKind.values)
    for node in NODES:
        assert node["kind"] in kinds, node["slug"]
        assert 0 < len(node["label"]) <= 80, node["slug"]
        assert 0 < len(node["label_en"]) <= 120, node["slug"]
        assert len(node["reading"]) <= 120, node["slug"]
        assert set(node) == {"slug", "kind", "parent", "label", "reading", "label_en", "synonyms",
                             "designations"}


def test_readings_are_hiragana():
    bad = [(n["slug"], n["reading"]) for n in NODES if not HIRAGANA.fullmatch(n["reading"])]
    assert not bad


def test_designations_are_upper_case_ascii_on_materials_only_and_unique():
    designations = [d for n in NODES for d in n["designations"]]
    assert not [d for d in designations if not DESIGNATION.fullmatch(d)]
    assert not [d for d, c in Counter(designations).items() if c > 1]
    assert not [n["slug"] for n in NODES if n["designations"] and n["kind"] != CapabilityKind.MATERIAL]


def test_synonyms_are_distinct_useful_spellings():
    per_kind: dict[str, dict[str, str]] = {}
    for node in NODES:
        names = per_kind.setdefault(node["kind"], {})
        own = [node["label"], *node["synonyms"]]
        assert len(set(own)) == len(own), f"{node['slug']}: a synonym repeats the label or another synonym"
        for synonym in node["synonyms"]:
            # a single kanji or kana would match inside unrelated words (鋼 in ステンレス鋼, 鉄 in 鉄道)
            assert synonym.isascii() or len(synonym) > 1, (node["slug"], synonym)
        # メッキ beside めっき is fine; the same name on two nodes is not
        for name in {_fold(s) for s in own}:
            other = names.setdefault(name, node["slug"])
            assert other == node["slug"], f"{name!r} names both {other} and {node['slug']}"


def test_counts_per_kind():
    counts = Counter(n["kind"] for n in NODES)
    assert len(NODES) >= 150
    assert counts[CapabilityKind.PROCESS] >= 80
    assert counts[CapabilityKind.MATERIAL] >= 30
    assert counts[CapabilityKind.EQUIPMENT] >= 20
    assert counts[CapabilityKind.FIELD] >= 20


@pytest.mark.parametrize(("label", "spellings"), [
    ("板金加工", {"鈑金", "板金"}),
    ("めっき", {"メッキ", "鍍金"}),
    ("アルミニウム", {"アルミ"}),
    ("ダイカスト", {"ダイキャスト"}),
    ("5軸加工", {"五軸加工"}),
    ("射出成形", {"射出成型"}),
    ("ステンレス", {"SUS"}),
    ("3Dプリント", {"積層造形"}),
])
def test_the_spellings_people_type_are_there(label, spellings):
    node = next(n for n in NODES if n["label"] == label)
    assert spellings <= set(node["synonyms"])


@pytest.mark.parametrize(("designation", "slug"), [
    ("SS400", "steel"), ("S45C", "steel"), ("SCM435", "steel"), ("SPCC", "steel"), ("SPHC", "steel"),
    ("SUS304", "stainless-steel"), ("SUS316", "stainless-steel"), ("SUS430", "stainless-steel"),
    ("A5052", "aluminium"), ("A6061", "aluminium"), ("A7075", "aluminium"), ("A2017", "aluminium"),
    ("ADC12", "aluminium"), ("C1100", "copper"), ("C3604", "brass"), ("C2801", "brass"),
])
def test_material_designations(designation, slug):
    assert designation in BY_SLUG[slug]["designations"]


@pytest.mark.parametrize("slug", ["cutting", "grinding-polishing", "edm", "sheet-metal", "press-working",
                                  "welding", "casting", "forging", "heat-treatment", "surface-treatment",
                                  "plastic-molding", "mold-making", "additive-manufacturing", "prototyping",
                                  "assembly", "inspection", "design", "sewing", "printing", "bookbinding",
                                  "leatherwork", "woodworking", "glass-processing"])
def test_the_main_processes_are_roots(slug):
    assert BY_SLUG[slug]["kind"] == CapabilityKind.PROCESS
    assert BY_SLUG[slug]["parent"] is None


@pytest.mark.skipif(not VOCABULARY.exists(), reason="no search vocabulary yet")
def test_consistent_with_the_search_vocabulary():
    """Where the search dictionary names a spelling or a designation, the taxonomy agrees with it.

    A variant whose one side is a node's label must have its other side among that node's names; a
    synonym whose term is a material designation must lead to a name of that node's family.
    """
    labels = {_fold(n["label"]): n for n in NODES}
    designations = {d.lower(): n for n in NODES for d in n["designations"]}
    problems = []
    for line in VOCABULARY.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, term, target = ([*line.split("\t"), "", ""])[:3]
        term, target = _fold(term), _fold(target)
        if kind == "variant":
            for this, other in ((term, target), (target, term)):
                node = labels.get(this)
                if node and other not in {_fold(s) for s in [node["label"], *node["synonyms"]]}:
                    problems.append(f"{node['slug']}: add {other!r} (variant of {this!r})")
        elif kind == "synonym" and term in designations:
            node = designations[term]
            names = {_fold(s) for n in _family(node["slug"]) for s in
                     [n["label"], *n["synonyms"], *n["designations"]]}
            if not any(name in target or target in name for name in names):
                problems.append(f"{node['slug']}: designation {term} leads to {target!r} in the vocabulary")
    assert not problems


# ---- loading -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_creates_the_tree():
    assert capabilities_load() == len(NODES)

    assert Capability.objects.count() == len(NODES)
    tig = Capability.objects.select_related("parent__parent").get(slug="tig-welding")
    assert (tig.parent.slug, tig.parent.parent) == ("welding", None)
    steel = Capability.objects.get(slug="steel")
    assert (steel.kind, steel.label, steel.reading) == ("material", "鉄鋼", "てっこう")
    assert "SS400" in steel.designations
    assert "鈑金" in Capability.objects.get(slug="sheet-metal").synonyms


@pytest.mark.django_db
def test_load_twice_writes_nothing():
    capabilities_load()
    before = list(Capability.objects.order_by("slug").values())

    with CaptureQueriesContext(connection) as queries:
        assert capabilities_load() == len(NODES)

    assert not [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert list(Capability.objects.order_by("slug").values()) == before


@pytest.mark.django_db
def test_load_keeps_staff_edits_unless_overwriting():
    capabilities_load()
    node = Capability.objects.get(slug="sheet-metal")
    node.label = "板金（精密・製缶）"
    node.synonyms = ["ばんきん"]
    node.parent = Capability.objects.get(slug="cutting")
    node.save()

    capabilities_load()
    node.refresh_from_db()
    assert node.label == "板金（精密・製缶）"
    assert node.parent.slug == "cutting"
    assert node.synonyms[0] == "ばんきん"
    assert set(BY_SLUG["sheet-metal"]["synonyms"]) <= set(node.synonyms)

    capabilities_load(overwrite=True)
    node.refresh_from_db()
    assert (node.label, node.parent, node.synonyms) == ("板金加工", None, BY_SLUG["sheet-metal"]["synonyms"])


@pytest.mark.django_db
def test_load_refuses_a_node_before_its_parent(tmp_path):
    path = tmp_path / "capabilities.json"
    path.write_text(json.dumps({"capabilities": [
        {"slug": "child", "kind": "process", "parent": "parent", "label": "子", "reading": "こ",
         "label_en": "Child", "synonyms": [], "designations": []},
    ]}), encoding="utf-8")

    with pytest.raises(ValueError, match="parent"):
        capabilities_load(path)
    assert not Capability.objects.exists()
