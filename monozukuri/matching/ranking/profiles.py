"""Loading candidates as the viewer may see them: organisations, advisers, and matching's own history.

Organisations come from the directory (``indexing.organization_sources``: three queries for any number of
ids); each field group the viewer may not read (directory/visibility.py) is left unknown: a firm that shows
its certifications only to its own office has none here for anyone else, and an exact address only for those
who may read it (the municipality's office location stands in). The record's own page stays the place to
read the rest.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from monozukuri.core.queries import ids_in
from monozukuri.matching.models import (
    ACTIVE_INTRODUCTION_STATUSES,
    Adviser,
    Availability,
    Introduction,
    PartnerRequest,
    RequestCapability,
    RequestKind,
    RequestStatus,
)
from monozukuri.matching.ranking.scoring import ADVISER, ORGANIZATION, Candidate
from monozukuri.matching.ranking.taxonomy import Taxonomy
from monozukuri.search.analysis import Vocabulary
from monozukuri.search.geo import Point, municipality_centroid

MAX_ADVISERS = 300


def municipality_names() -> dict[str, tuple[int, str]]:
    """code → (id, name) of every municipality (63 rows)."""
    from monozukuri.core.selectors import municipality_list

    return {m.code: (m.pk, m.name) for m in municipality_list()}


def _url_template(name: str) -> str:
    """The prefix of a detail URL ``…/<id>/`` (``reverse`` per row would cost more than the scoring)."""
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse(name, args=[0])
    except NoReverseMatch:
        return ""
    return url[:-2] if url.endswith("/0/") else ""


def organization_candidates(
    ids: Sequence[int],
    *,
    viewer: Any,
    taxonomy: Taxonomy,
    vocabulary: Vocabulary | None,
    names: dict[str, tuple[int, str]],
) -> list[Candidate]:
    """Live, active organisations among ``ids`` (in that order), cut to what ``viewer`` may read."""
    from monozukuri.directory.indexing import organization_sources
    from monozukuri.directory.models import OrganizationKind

    if not ids:
        return []
    kinds = {value: str(label) for value, label in OrganizationKind.choices}  # translated once
    url = _url_template("directory:organization-detail")
    by_id = {s.id: s for s in organization_sources(list(ids))}
    today = datetime.date.today()
    out = []
    for org_id in ids:
        source = by_id.get(org_id)
        if source is None or source.status != "active":
            continue
        municipality_id, municipality_name = names.get(source.municipality_code or "", (None, ""))
        groups = viewer.visible_groups(
            SimpleNamespace(pk=source.id, municipality_id=municipality_id, visibility=source.visibility or {})
        )
        point, exact = None, False
        if "address" in groups and source.latitude is not None and source.longitude is not None:
            point, exact = Point(source.latitude, source.longitude), True
        else:
            point = municipality_centroid(source.municipality_code)
        held = frozenset(source.capability_ids)
        certifications = None
        if "certifications" in groups:
            certifications = tuple(
                name
                for name, expires in source.certifications
                if name.strip() and (expires is None or expires >= today)
            )
        out.append(
            Candidate(
                type=ORGANIZATION,
                id=source.id,
                name=source.name,
                kind=source.kind,
                kind_label=kinds.get(source.kind, source.kind),
                municipality_code=source.municipality_code,
                municipality_name=municipality_name,
                capability_ids=held,
                certifications=certifications,
                employees=source.employees if "size" in groups else None,
                point=point,
                point_exact=exact,
                last_confirmed_on=source.last_confirmed_on,
                text_parts=(
                    source.name,
                    source.summary,
                    source.products,
                    source.industry_name,
                    *(taxonomy.label(c) for c in held),
                ),
                url=f"{url}{source.id}/" if url else "",
                summary=source.summary,
                products=source.products,
                industry_codes=frozenset({source.industry_code} if source.industry_code else ()),
            )
        )
    return out


def adviser_candidates(
    *,
    need_ids: Iterable[int],
    taxonomy: Taxonomy,
    vocabulary: Vocabulary | None,
    names: dict[str, tuple[int, str]],
    limit: int = MAX_ADVISERS,
) -> list[Candidate]:
    """Active advisers with room for a mentee whose expertise touches the needs (any, without needs)."""
    from django.urls import reverse

    wanted: set[int] = set()
    for need in need_ids:
        wanted |= taxonomy.descendants(need) | set(taxonomy.ancestors(need))
    codes = {pk: code for code, (pk, _name) in names.items()}
    qs = (
        Adviser.objects.filter(active=True)
        .exclude(availability=Availability.UNAVAILABLE)
        .prefetch_related("capabilities", "industries")
    )
    if wanted:
        qs = qs.filter(capabilities__in=wanted).distinct()
    advisers = list(qs.order_by("-last_confirmed_on", "id")[:limit])
    with scopes_disabled():  # mentees in progress: consented, meeting held, agreed
        busy = dict(
            Introduction.objects.filter(
                candidate_adviser_id__in=[a.pk for a in advisers],
                status__in=ACTIVE_INTRODUCTION_STATUSES[1:],
            )
            .values("candidate_adviser_id")
            .annotate(n=Count("id"))
            .values_list("candidate_adviser_id", "n")
        )
    out = []
    for adviser in advisers:
        held = frozenset(c.pk for c in adviser.capabilities.all())
        code = codes.get(adviser.municipality_id) if adviser.municipality_id else None
        out.append(
            Candidate(
                type=ADVISER,
                id=adviser.pk,
                name=adviser.name,
                kind="adviser",
                kind_label=_("アドバイザー"),
                municipality_code=code,
                municipality_name=names.get(code or "", (None, ""))[1],
                capability_ids=held,
                certifications=(),
                employees=None,
                point=municipality_centroid(code),
                last_confirmed_on=adviser.last_confirmed_on or adviser.updated_at.date(),
                text_parts=(adviser.headline, adviser.bio, *(taxonomy.label(c) for c in held)),
                url=reverse("matching:adviser-detail", args=[adviser.pk]),
                summary=adviser.headline,
                industry_codes=frozenset(i.code for i in adviser.industries.all()),
                headline=adviser.headline,
                availability=adviser.availability,
                slots_left=max(0, adviser.max_mentees - busy.get(adviser.pk, 0)),
                years_experience=adviser.years_experience,
            )
        )
    return out


@dataclass
class History:
    """What the database holds about candidates' past: contracted introductions (organisation, adviser,
    request kind, request), the capabilities of those requests, and capabilities of published offers by
    organisation. Read for a set of ids (``history_of``), applied by ``add_history``."""

    org_ids: frozenset[int] = frozenset()
    adviser_ids: frozenset[int] = frozenset()
    contracts: list[tuple[int | None, int | None, str, int]] = field(default_factory=list)
    request_caps: dict[int, set[int]] = field(default_factory=dict)
    offers: dict[int, set[int]] = field(default_factory=dict)

    def merged(self, other: History) -> History:
        return History(
            self.org_ids | other.org_ids,
            self.adviser_ids | other.adviser_ids,
            [*self.contracts, *other.contracts],
            {**self.request_caps, **other.request_caps},
            {**self.offers, **other.offers},
        )


def history_of(*, org_ids: Sequence[int] = (), adviser_ids: Sequence[int] = ()) -> History:
    """The past of these organisations and advisers (at most four queries, none without ids)."""
    history = History(frozenset(org_ids), frozenset(adviser_ids))
    if not org_ids and not adviser_ids:
        return history
    with scopes_disabled():
        contracted = Introduction.objects.filter(contracted_on__isnull=False)
        fields = ("candidate_org_id", "candidate_adviser_id", "request__kind", "request_id")
        if org_ids:
            history.contracts += contracted.filter(ids_in("candidate_org_id", org_ids)).values_list(*fields)
        if adviser_ids:
            history.contracts += contracted.filter(candidate_adviser_id__in=adviser_ids).values_list(*fields)
        if history.contracts:
            for request_id, cap_id in RequestCapability.objects.filter(
                request_id__in={r[3] for r in history.contracts}
            ).values_list("request_id", "capability_id"):
                history.request_caps.setdefault(request_id, set()).add(cap_id)
        if org_ids:
            for requester_id, cap_id in RequestCapability.objects.filter(
                request__kind=RequestKind.OFFER,
                request__status=RequestStatus.PUBLISHED,
            ).filter(ids_in("request__requester_id", org_ids)).values_list(
                "request__requester_id", "capability_id"
            ):
                history.offers.setdefault(requester_id, set()).add(cap_id)
    return history


def add_history(
    candidates: Sequence[Candidate],
    *,
    kind: str,
    need_ids: Iterable[int],
    taxonomy: Taxonomy,
    known: History | None = None,
) -> None:
    """Past contracts of each candidate (similar: same kind of request sharing a capability family) and
    whether an organisation advertises spare capacity in a published offer that meets the needs.
    ``known``: history already read (for a superset of some candidates); the rest is read here."""
    if not candidates:
        return
    history = known or History()
    missing = history_of(
        org_ids=[c.id for c in candidates if c.type == ORGANIZATION and c.id not in history.org_ids],
        adviser_ids=[c.id for c in candidates if c.type == ADVISER and c.id not in history.adviser_ids],
    )
    history = history.merged(missing)
    family = _families(need_ids, taxonomy)
    by_key = {c.key: c for c in candidates}
    for org_id, adviser_id, request_kind, request_id in history.contracts:
        key = (ORGANIZATION, org_id) if org_id is not None else (ADVISER, adviser_id or 0)
        candidate = by_key.get(key)
        if candidate is None:
            continue
        shares = not family or bool(_families(history.request_caps.get(request_id, ()), taxonomy) & family)
        if request_kind == kind and shares:
            candidate.similar_contracts += 1
        else:
            candidate.other_contracts += 1
    for candidate in candidates:
        if candidate.type == ORGANIZATION and candidate.id in history.offers:
            offered = history.offers[candidate.id]
            candidate.open_offer = not family or bool(_families(offered, taxonomy) & family)


def _families(ids: Iterable[int], taxonomy: Taxonomy) -> set[int]:
    """The top-level taxonomy node of each capability (切削加工 for 5軸加工)."""
    out = set()
    for node_id in ids:
        ancestors = taxonomy.ancestors(node_id)
        out.add(ancestors[-1] if ancestors else node_id)
    return out


def existing_introductions(request_id: int | None) -> dict[tuple[str, int], tuple[int, str]]:
    """(type, id) → (introduction id, status) of the request's introductions so far."""
    if request_id is None:
        return {}
    with scopes_disabled():
        rows = Introduction.objects.filter(request_id=request_id).values_list(
            "pk", "candidate_org_id", "candidate_adviser_id", "status"
        )
        return {
            ((ORGANIZATION, org) if org is not None else (ADVISER, adv)): (pk, status)
            for pk, org, adv, status in rows
        }


def published_requests_touching(
    need_ids: Iterable[int], *, exclude_requester: int | None, taxonomy: Taxonomy, limit: int = 200
) -> list[PartnerRequest]:
    """Published requests (not offers) whose needs meet these capabilities — an offer's candidates."""
    wanted: set[int] = set()
    for need in need_ids:
        wanted |= taxonomy.descendants(need) | set(taxonomy.ancestors(need))
    with scopes_disabled():
        qs = PartnerRequest.objects.filter(status=RequestStatus.PUBLISHED).exclude(kind=RequestKind.OFFER)
        if exclude_requester is not None:
            qs = qs.exclude(requester_id=exclude_requester)
        if wanted:
            qs = qs.filter(capability_links__capability_id__in=wanted).distinct()
        return list(
            qs.select_related("municipality", "requester__municipality")
            .prefetch_related("capability_links")
            .order_by("-published_at", "-id")[:limit]
        )
