"""Generated demo organisations (demo/organizations.py): realistic, valid, deterministic, idempotent."""

from __future__ import annotations

import datetime
import re
from collections import Counter

import pytest
from django.db.models import Count

from monozukuri.core.identifiers import validate_corporate_number
from monozukuri.demo import organizations as demo
from monozukuri.directory.derive import ReferenceIds, derive_fields
from monozukuri.directory.models import (
    Certification,
    Organization,
    OrganizationCapability,
    OrganizationKind,
    OrganizationMembership,
)
from monozukuri.directory.normalize import address_from_postcode
from monozukuri.directory.reference_data import capabilities_load, industry_divisions_load

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 4, 1)
HIRAGANA = re.compile(r"[ぁ-ゖー]+")
FOUR = {"131075", "131181", "131199", "132055"}


@pytest.fixture
def reference(municipalities):
    industry_divisions_load()
    capabilities_load()
    return municipalities


@pytest.fixture
def vocab(reference):
    return demo.vocabulary_load()


@pytest.fixture
def generated(vocab):
    """Organisations 0–399 of seed 1, not written."""
    return [demo.generate_organization(vocab, 1, i, TODAY) for i in range(400)]


def _snapshot() -> list[tuple]:
    return list(Organization.objects.order_by("id").values_list(
        "name", "kana", "corporate_number", "postcode", "street", "phone", "summary", "last_confirmed_on"))


# ---- generating --------------------------------------------------------------------------------


def test_same_seed_same_organisations_other_seed_others(vocab):
    first = [demo.generate_organization(vocab, 5, i, TODAY) for i in range(60)]
    again = [demo.generate_organization(vocab, 5, i, TODAY) for i in range(60)]
    other = [demo.generate_organization(vocab, 6, i, TODAY) for i in range(60)]

    assert [o.values for o in first] == [o.values for o in again]
    assert [o.capability_slugs for o in first] == [o.capability_slugs for o in again]
    assert sum(a.values["name"] == b.values["name"] for a, b in zip(first, other, strict=True)) < 10


def test_values_are_organisation_fields(generated):
    fields = {f.attname for f in Organization._meta.concrete_fields}
    for organization in generated:
        assert set(organization.values) <= fields


def test_name_fields_are_what_derive_fields_makes(generated):
    refs = ReferenceIds({}, {})
    for organization in generated:
        derived = derive_fields({"name": organization.values["name"]}, refs=refs)
        assert (derived["name"], derived["name_normalized"]) == (
            organization.values["name"], organization.values["name_normalized"])


def test_readings_are_hiragana_and_english_names_ascii(generated):
    for organization in generated:
        assert HIRAGANA.fullmatch(organization.values["kana"]), organization.values["kana"]
        assert organization.values["name_en"].isascii(), organization.values["name_en"]


def test_descriptions_are_200_to_600_characters_and_varied(generated):
    summaries = [o.values["summary"] for o in generated if o.duplicate_of is None]

    assert all(demo.DESCRIPTION_MIN <= len(s) <= demo.DESCRIPTION_MAX for s in summaries)
    assert len(set(summaries)) == len(summaries)
    openings = Counter(s[:12] for s in summaries)
    assert openings.most_common(1)[0][1] < len(summaries) / 10
    assert not [s for s in summaries if "{" in s or "[" in s]


def test_kinds_weighted_towards_manufacturers(generated):
    kinds = Counter(o.values["kind"] for o in generated)

    assert kinds[OrganizationKind.MANUFACTURER] > len(generated) * 0.6
    assert len(kinds) >= 7


def test_manufacturers_have_two_to_eight_capabilities_of_their_industry(generated, vocab):
    manufacturers = [o for o in generated if o.values["kind"] == OrganizationKind.MANUFACTURER
                     and o.duplicate_of is None]
    for organization in manufacturers:
        assert 2 <= len(organization.capability_slugs) <= 8
        assert set(organization.capability_slugs) <= set(vocab.capabilities)
        kinds = {vocab.capabilities[s].kind for s in organization.capability_slugs}
        assert "process" in kinds or "material" in kinds


def test_corporate_numbers_are_valid_and_unique_sole_proprietors_have_none(generated):
    numbers = [o.values["corporate_number"] for o in generated if o.values["corporate_number"]]

    assert all(validate_corporate_number(n) == n for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert len(generated) * 0.6 < len(numbers) < len(generated)


@pytest.mark.parametrize("index", [0, 1, 999_999, 1_000_000, 2_345_678, 45_999_999])
def test_corporate_number_for_any_index_is_valid(index):
    number = demo.corporate_number_for(index, "0106", "01")
    assert validate_corporate_number(number) == number


def test_corporate_numbers_do_not_repeat_across_a_million():
    numbers = {demo.corporate_number_for(i, "0100", "01")[1:] for i in range(0, 1_000_000, 7)}
    assert len(numbers) == len(range(0, 1_000_000, 7))
    assert demo.corporate_number_for(5, "0100", "01") != demo.corporate_number_for(1_000_005, "0100", "01")


def test_municipality_is_the_postcodes_for_every_organisation(generated, municipalities):
    ids = {m.code: m.pk for m in municipalities.values()}
    for organization in generated:
        postal = address_from_postcode(organization.values["postcode"])
        assert postal is not None
        assert organization.values["municipality_id"] == ids[postal.municipality_code]
        assert organization.values["city"] == postal.city
        assert organization.values["town"]
    codes = {next(c for c, pk in ids.items() if pk == o.values["municipality_id"]) for o in generated}
    assert codes >= FOUR


def test_phones_in_the_area_code_and_distinct(generated, municipalities):
    ome = municipalities["132055"].pk
    for organization in generated:
        phone = organization.values["phone"]
        assert re.fullmatch(r"0\d{1,4}-\d{2,4}-\d{4}", phone)
        assert len(phone.replace("-", "")) == 10
        if organization.values["municipality_id"] == ome:
            assert phone.startswith("0428-")
        elif organization.values["city"].endswith("区"):
            assert phone.startswith("03-")
    originals = [o for o in generated if o.duplicate_of is None]
    assert len({o.values["phone"] for o in originals}) == len(originals)


def test_industry_and_sme_class_are_set(generated, vocab):
    manufacturing = {pk for code, pk in vocab.refs.divisions.items() if 9 <= int(code) <= 32}
    for organization in generated:
        assert organization.values["industry_id"] is not None
        if organization.values["kind"] == OrganizationKind.MANUFACTURER:
            assert organization.values["industry_id"] in manufacturing
    assert {o.values["sme_class"] for o in generated} >= {"small", "sme", "large"}


def test_some_likely_duplicates_of_the_organisation_before(generated):
    duplicates = [o for o in generated if o.duplicate_of is not None]

    assert duplicates
    for duplicate in duplicates:
        original = generated[duplicate.duplicate_of]
        assert duplicate.values["corporate_number"] is None
        assert duplicate.values["name_normalized"] == original.values["name_normalized"]
        assert duplicate.values["address_normalized"] == original.values["address_normalized"]


def test_organisation_zero_is_a_full_sumida_manufacturer(generated, municipalities):
    first = generated[0]

    assert first.values["kind"] == OrganizationKind.MANUFACTURER
    assert first.values["municipality_id"] == municipalities["131075"].pk
    assert first.values["corporate_number"]
    assert first.equipment
    assert [c[0] for c in first.certifications][:1] == ["ISO 9001"]
    assert first.values["last_confirmed_on"] < TODAY - datetime.timedelta(days=365)


def test_romanize():
    assert demo.romanize("とうきょうせいこう") == "Tokyoseiko"
    assert demo.romanize("にっしん") == "Nisshin"
    assert demo.romanize("しょうわ") == "Showa"
    assert demo.romanize("おおた") == "Ota"
    assert demo.romanize("まっちゃ") == "Matcha"
    assert demo.romanize("ふぁぶ") == "Fabu"


# ---- writing -------------------------------------------------------------------------------------


def test_ensure_creates_n_and_running_again_creates_none(reference):
    assert demo.demo_organizations_ensure(40, 3, today=TODAY) == 40
    first = _snapshot()

    assert demo.demo_organizations_ensure(40, 3, today=TODAY) == 0
    assert demo.demo_organizations_ensure(25, 3, today=TODAY) == 0
    assert _snapshot() == first
    assert demo.demo_organization_count() == 40


def test_ensure_tops_up_with_the_same_sequence(reference, vocab):
    demo.demo_organizations_ensure(30, 3, today=TODAY, batch_size=7)
    demo.demo_organizations_ensure(45, 3, today=TODAY, batch_size=7)

    expected = [demo.generate_organization(vocab, 3, i, TODAY).values for i in range(45)]
    columns = ("name", "kana", "corporate_number", "postcode", "street", "phone", "summary",
               "last_confirmed_on")
    assert _snapshot() == [tuple(v[c] for c in columns) for v in expected]


def test_written_records_and_related_rows(reference):
    demo.demo_organizations_ensure(120, 1, today=TODAY)
    organizations = Organization.objects.annotate(caps=Count("capability_links"))

    assert organizations.count() == 120
    assert all(o.municipality_id and o.industry_id and o.kana for o in organizations)
    assert all(o.sources.get().reference == demo.DEMO_SOURCE_REFERENCE for o in organizations[:20])
    assert OrganizationCapability.objects.count() == sum(o.caps for o in organizations)
    manufacturers = organizations.filter(kind=OrganizationKind.MANUFACTURER, staff_notes="")
    assert all(2 <= o.caps <= 8 for o in manufacturers)
    stale = organizations.filter(last_confirmed_on__lt=TODAY - datetime.timedelta(days=365)).count()
    assert 0 < stale < 120
    expiring = Certification.objects.filter(expires_on__range=(TODAY, TODAY + datetime.timedelta(days=90)))
    assert expiring.exists()
    assert Organization.objects.filter(equipment__isnull=False).distinct().exists()
    one = Organization.objects.get(pk=organizations.order_by("id").first().pk)
    assert one.created_at is not None
    assert one.visibility == {}


def test_likely_duplicates_are_flagged_for_staff(reference):
    from django_scopes import scopes_disabled

    from monozukuri.directory.models import DuplicateFlag

    demo.demo_organizations_ensure(demo.DUPLICATE_EVERY + 5, 1, today=TODAY)

    with scopes_disabled():
        flag = DuplicateFlag.objects.select_related("organization", "duplicate_of").get()
    assert flag.organization.corporate_number is None
    assert flag.organization.name_normalized == flag.duplicate_of.name_normalized
    assert flag.reason == "name_address"


def test_a_real_firm_keeps_its_number(reference, vocab):
    number = demo.generate_organization(vocab, 1, 0, TODAY).values["corporate_number"]
    real = Organization.objects.create(name="株式会社本物", name_normalized="本物", corporate_number=number)

    demo.demo_organizations_ensure(3, 1, today=TODAY)

    assert Organization.objects.get(corporate_number=number) == real
    assert demo.demo_organizations().count() == 3


def test_the_demo_firm_member_owns_a_sumida_manufacturer(reference):
    from monozukuri.demo.accounts import demo_accounts_ensure

    demo_accounts_ensure()
    assert demo.demo_firm_membership_ensure() is None  # nothing generated yet
    demo.demo_organizations_ensure(10, 1, today=TODAY)

    firm = demo.demo_firm_membership_ensure()
    again = demo.demo_firm_membership_ensure()

    membership = OrganizationMembership.objects.get(user__email=demo.DEMO_FIRM_EMAIL)
    assert firm == again == membership.organization
    assert membership.role == "owner"
    assert (firm.municipality.code, firm.kind) == ("131075", OrganizationKind.MANUFACTURER)
