"""Staff edit pages: create, edit, parts, photos, visibility; audited; refused to other municipalities."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image

from monozukuri.core.audit import history_for
from monozukuri.core.models import AuditEvent
from monozukuri.directory.models import (
    Certification,
    Contact,
    DuplicateFlag,
    Equipment,
    Organization,
    OrganizationPhoto,
    OrganizationSource,
    SmeClass,
    SourceKind,
)
from monozukuri.directory.reference_data import industry_divisions_load
from monozukuri.directory.services import organizations
from monozukuri.directory.tests.factories import CapabilityFactory, OrganizationFactory, image_upload

pytestmark = pytest.mark.django_db
CREATE = reverse("directory:organization-create")
EDIT_PAGES = ["organization-edit", "organization-visibility", "organization-capabilities",
              "organization-certifications", "organization-equipment", "organization-contacts",
              "organization-photos", "membership-list"]


@pytest.fixture(autouse=True)
def divisions(db):
    industry_divisions_load()


def _form(**over):
    data = {"name": "(株)山田製作所", "kana": "やまだせいさくしょ", "kind": "manufacturer", "industry": "24",
            "postcode": "１３１－００３１", "street": "1丁目2番3号", "capital": "1,000万",
            "employees": "２５",
            "founded_on": "昭和60年4月1日", "founded_year": "S23", "status": "active",
            "corporate_number": "", "website": "https://yamada.example.jp/"}
    data.update(over)
    return data


@pytest.fixture
def org(sumida):
    return OrganizationFactory(municipality=sumida, name="株式会社隅田精工", postcode="1310031")


def test_staff_register_a_firm_with_names_addresses_and_sme_class_derived(client, sumida_staff, sumida):
    client.force_login(sumida_staff)
    response = client.post(CREATE, _form())
    org = Organization.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:organization-edit", args=[org.pk])
    assert org.name == "株式会社山田製作所"
    assert (org.prefecture, org.city, org.town, org.street) == ("東京都", "墨田区", "墨田", "1-2-3")
    assert org.municipality == sumida
    assert org.capital == 10_000_000
    assert org.website_normalized == "yamada.example.jp"  # every key derive_fields computes is stored
    assert org.employees == 25
    assert org.founded_on == datetime.date(1985, 4, 1)
    assert org.founded_year == 1948
    assert org.sme_class == SmeClass.SME
    assert "中小企業者" in org.sme_rule
    assert OrganizationSource.objects.filter(organization=org, kind=SourceKind.STAFF_EDIT).exists()
    event = AuditEvent.objects.get(action="directory.organization_create")
    assert event.changes["name"] == [None, "株式会社山田製作所"]


def test_the_edit_page_shows_the_address_and_municipality_the_postcode_gave(client, sumida_staff):
    client.force_login(sumida_staff)
    client.post(CREATE, _form())
    url = reverse("directory:organization-edit", args=[Organization.objects.get().pk])
    html = client.get(url).content.decode()
    assert "東京都墨田区墨田" in html
    assert "墨田区（131075）" in html
    assert "資本金3億円以下のため中小企業者" in html


@pytest.mark.parametrize(("field", "value", "message"), [
    ("corporate_number", "7010401067252", "チェックデジット"),
    ("corporate_number", "12345", "13桁"),
    ("founded_on", "平成31年2月30日", "存在しない日付"),
    ("postcode", "999-9999", "日本郵便のデータにありません"),
    ("postcode", "116-0002", "あなたの自治体の区域ではありません"),  # Arakawa, for Sumida's staff
    ("capital", "たくさん", "数字で入力してください"),
    ("name", "", "必須"),
])
def test_a_refused_form_says_why_and_keeps_what_was_typed(client, sumida_staff, field, value, message):
    client.force_login(sumida_staff)
    response = client.post(CREATE, _form(**{field: value, "summary": "入力した事業概要"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "入力した事業概要" in html
    assert not Organization.objects.exists()


def test_a_corporate_number_already_registered_is_refused_with_the_records_name(client, sumida_staff, sumida):
    OrganizationFactory(municipality=sumida, name="株式会社先客", corporate_number="1180301018771")
    client.force_login(sumida_staff)
    html = client.post(CREATE, _form(corporate_number="1180301018771")).content.decode()
    assert "株式会社先客" in html
    assert "登録済み" in html


def test_a_likely_duplicate_is_flagged_and_the_staff_member_told(client, sumida_staff, sumida):
    first = OrganizationFactory(municipality=sumida, name="株式会社山田製作所", name_normalized="山田製作所",
                                street="1-2-3", address_normalized="東京都墨田区墨田1-2-3")
    client.force_login(sumida_staff)
    response = client.post(CREATE, _form(), follow=True)
    with scopes_disabled():
        flag = DuplicateFlag.objects.get()
    assert flag.duplicate_of == first
    assert flag.municipality == sumida
    assert "似た登録があります" in response.content.decode()


def test_only_directory_staff_may_register(client, public_user, partner_user, tmg_officer):
    assert client.get(CREATE).status_code == 302  # to the log-in page
    for user in (public_user, partner_user, tmg_officer):
        client.force_login(user)
        assert client.get(CREATE).status_code == 403


def test_staff_edit_applies_at_once_audited_before_and_after(client, sumida_staff, org):
    client.force_login(sumida_staff)
    response = client.post(reverse("directory:organization-edit", args=[org.pk]),
                           _form(name="株式会社隅田精工", postcode="116-0002", staff_notes="訪問済み"),
                           follow=True)
    org.refresh_from_db()
    assert response.redirect_chain[-1][0] == org.get_absolute_url()  # now Arakawa's to edit
    assert "保存しました" in response.content.decode()
    assert org.city == "荒川区"
    assert org.town == "荒川"
    assert org.municipality.code == "131181"
    event = history_for(org).get(action="directory.organization_update")
    assert event.changes["postcode"] == ["1310031", "1160002"]
    assert event.changes["municipality"] == ["131075", "131181"]
    assert event.changes["staff_notes"] == ["", "訪問済み"]


@pytest.mark.parametrize("page", EDIT_PAGES)
def test_every_edit_page_is_404_for_staff_of_another_municipality(client, arakawa_staff, org, page):
    client.force_login(arakawa_staff)
    assert client.get(reverse(f"directory:{page}", args=[org.pk])).status_code == 404
    assert client.post(reverse(f"directory:{page}", args=[org.pk]), _form()).status_code == 404


@pytest.mark.parametrize("page", EDIT_PAGES)
def test_every_edit_page_is_404_for_tmg_and_for_a_missing_record(client, tmg_officer, sumida_staff, org,
                                                                 page):
    client.force_login(tmg_officer)
    assert client.get(reverse(f"directory:{page}", args=[org.pk])).status_code == 404
    client.force_login(sumida_staff)
    assert client.get(reverse(f"directory:{page}", args=[org.pk])).status_code == 200
    assert client.get(reverse(f"directory:{page}", args=[987654])).status_code == 404


def test_the_services_refuse_staff_of_another_municipality(arakawa_staff, org):
    with pytest.raises(PermissionDenied):
        organizations.organization_change(actor=arakawa_staff, org=org, changes={"summary": "x"})


def test_staff_choose_capabilities_from_the_taxonomy(client, sumida_staff, org):
    welding = CapabilityFactory(slug="welding", label="溶接")
    CapabilityFactory(slug="pressing", label="プレス")
    client.force_login(sumida_staff)
    url = reverse("directory:organization-capabilities", args=[org.pk])
    assert 'id="cap-welding"' in client.get(url).content.decode()
    client.post(url, {"capabilities": ["welding"]})
    assert list(org.capabilities.all()) == [welding]
    event = history_for(org).get(action="directory.organization_update")
    assert event.changes["capabilities"] == [[], ["welding"]]


def _rows(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def test_certifications_are_kept_with_expiry_typed_in_wareki(client, sumida_staff, org):
    client.force_login(sumida_staff)
    url = reverse("directory:organization-certifications", args=[org.pk])
    client.post(url, _rows("certifications", [
        {"name": "ISO 9001", "number": "JQA-1234", "issued_on": "平成30年4月1日",
         "expires_on": "令和9年3月31日"},
        {"name": "", "number": ""}]))
    cert = Certification.objects.get(organization=org)
    assert (cert.name, cert.number, cert.expires_on) == ("ISO 9001", "JQA-1234", datetime.date(2027, 3, 31))
    cert.reminder_sent_on = datetime.date(2027, 1, 1)
    cert.save()
    client.post(url, _rows("certifications", [{"id": cert.pk, "name": "ISO 9001", "number": "JQA-1234",
                                               "issued_on": "2018-04-01", "expires_on": "2030-03-31"}], 1))
    cert.refresh_from_db()
    assert cert.expires_on == datetime.date(2030, 3, 31)
    assert cert.reminder_sent_on is None  # a new expiry gets its own reminder
    client.post(url, _rows("certifications", [{"id": cert.pk, "name": "ISO 9001", "DELETE": "on"}], 1))
    assert not Certification.objects.filter(organization=org).exists()


def test_a_bad_row_is_explained_and_nothing_is_saved(client, sumida_staff, org):
    client.force_login(sumida_staff)
    url = reverse("directory:organization-certifications", args=[org.pk])
    response = client.post(url, _rows("certifications", [
        {"name": "ISO 14001", "issued_on": "2020-01-01", "expires_on": "2019-01-01"}]))
    assert "有効期限が取得日より前です" in response.content.decode()
    assert 'value="ISO 14001"' in response.content.decode()
    assert not Certification.objects.exists()


def test_equipment_and_contacts_are_edited_as_lists(client, sumida_staff, org):
    client.force_login(sumida_staff)
    client.post(reverse("directory:organization-equipment", args=[org.pk]), _rows("equipment", [
        {"name": "5軸マシニングセンタ", "maker": "DMG森精機", "quantity": "２",
         "spec": "最大ワーク径500mm"}]))
    client.post(reverse("directory:organization-contacts", args=[org.pk]), _rows("contacts", [
        {"name": "山田太郎", "role": "工場長", "phone": "03-1234-5678", "email": "yamada@example.jp"}]))
    assert Equipment.objects.get(organization=org).quantity == 2
    assert Contact.objects.get(organization=org).role == "工場長"


def test_staff_may_not_open_a_part_the_firm_keeps_to_need_to_know(client, sumida_staff, org):
    org.visibility = {"contact": "need_to_know"}
    org.save()
    client.force_login(sumida_staff)
    assert client.get(reverse("directory:organization-contacts", args=[org.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        organizations.organization_change(actor=sumida_staff, org=org, changes={"phone": "03-0000-0000"})
    with pytest.raises(PermissionDenied):  # nor widen it to read it
        organizations.organization_change(actor=sumida_staff, org=org,
                                          changes={"visibility": {"contact": "staff"}})


def test_visibility_is_chosen_within_each_groups_bounds(client, sumida_staff, org):
    client.force_login(sumida_staff)
    url = reverse("directory:organization-visibility", args=[org.pk])
    html = client.get(url).content.decode()
    assert 'name="identity"' not in html
    assert 'name="office"' not in html
    client.post(url, {"address": "staff", "size": "public", "certifications": "public",
                      "equipment": "network", "contact": "staff"})
    org.refresh_from_db()
    assert org.visibility["address"] == "staff"
    with pytest.raises(ValidationError, match="この設定を選べません"):
        organizations.organization_change(actor=sumida_staff, org=org,
                                          changes={"visibility": {"contact": "public"}})


def _upload(client, org, upload, alt="5軸加工機で部品を削る様子"):
    return client.post(reverse("directory:organization-photos", args=[org.pk]),
                       {"action": "upload", "image": upload, "alt_text": alt}, follow=True)


def test_a_photo_is_turned_upright_resized_to_1600px_and_stripped_of_exif(client, sumida_staff, org):
    client.force_login(sumida_staff)
    _upload(client, org, image_upload())
    photo = OrganizationPhoto.objects.get(organization=org)
    assert photo.alt_text == "5軸加工機で部品を削る様子"
    assert photo.image.name.endswith(".jpg")
    with default_storage.open(photo.image.name) as f, Image.open(f) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (1067, 1600)  # upright (portrait), long side 1600
        assert len(stored.getexif()) == 0
    html = client.get(org.get_absolute_url()).content.decode()
    assert 'alt="5軸加工機で部品を削る様子"' in html


def test_a_transparent_png_becomes_webp(client, sumida_staff, org):
    client.force_login(sumida_staff)
    _upload(client, org, image_upload("PNG", (400, 300), "RGBA", exif=False))
    photo = OrganizationPhoto.objects.get(organization=org)
    with default_storage.open(photo.image.name) as f, Image.open(f) as stored:
        assert stored.format == "WEBP"
        assert stored.size == (400, 300)


def test_a_file_that_is_not_an_image_is_refused_with_a_clear_message(client, sumida_staff, org):
    client.force_login(sumida_staff)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = _upload(client, org, fake, alt="説明")
    assert "画像として読み取れません" in response.content.decode()
    assert not OrganizationPhoto.objects.exists()


def test_a_photo_needs_a_text_alternative(client, sumida_staff, org):
    client.force_login(sumida_staff)
    response = _upload(client, org, image_upload(size=(100, 100)), alt="")
    assert "写真の説明（代替テキスト）" in response.content.decode()
    assert not OrganizationPhoto.objects.exists()


def test_photos_are_described_again_and_removed(client, sumida_staff, org,
                                               django_capture_on_commit_callbacks):
    client.force_login(sumida_staff)
    _upload(client, org, image_upload(size=(100, 100)))
    photo = OrganizationPhoto.objects.get()
    url = reverse("directory:organization-photos", args=[org.pk])
    client.post(url, {"action": "update", **_rows("photos", [{"id": photo.pk, "alt_text": "工場の外観"}], 1)})
    photo.refresh_from_db()
    assert photo.alt_text == "工場の外観"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "update", **_rows("photos", [
            {"id": photo.pk, "alt_text": "工場の外観", "DELETE": "on"}], 1)})
    assert not OrganizationPhoto.objects.exists()
    assert not default_storage.exists(photo.image.name)


def test_the_postcode_preview_names_the_address_and_municipality(client, sumida):
    url = reverse("directory:organization-postcode")
    html = client.get(url, {"postcode": "１３１－００３１"}).content.decode()
    assert "東京都墨田区墨田" in html
    assert "所在自治体: 墨田区" in html
    html = client.get(url, {"postcode": "9999999"}).content.decode()
    assert "見つかりません" in html
