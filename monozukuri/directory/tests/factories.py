"""Factories for the company database."""

from __future__ import annotations

from io import BytesIO

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from monozukuri.directory.models import (
    Capability,
    CapabilityKind,
    Certification,
    Contact,
    DuplicateFlag,
    Equipment,
    Organization,
    OrganizationInvitation,
    OrganizationKind,
    OrganizationMembership,
    OrganizationSource,
    ProfileChange,
    SourceKind,
)
from monozukuri.directory.normalize import address_key, name_key, normalize_street, phone_key


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"株式会社テスト製作所{n}")
    name_normalized = factory.LazyAttribute(lambda o: name_key(o.name))
    kana = factory.Sequence(lambda n: f"てすとせいさくしょ{n}")
    kind = OrganizationKind.MANUFACTURER
    postcode = "1310031"
    prefecture = "東京都"
    city = "墨田区"
    town = "墨田"
    street = "1-2-3"
    summary = "精密板金加工と溶接を行う町工場です。"


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capability

    kind = CapabilityKind.PROCESS
    slug = factory.Sequence(lambda n: f"capability-{n}")
    label = factory.Sequence(lambda n: f"加工{n}")


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    organization = factory.SubFactory(OrganizationFactory)
    name = "ISO 9001"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationMembership

    organization = factory.SubFactory(OrganizationFactory)
    role = "owner"


class NormalizedOrganizationFactory(OrganizationFactory):
    """An organisation with every comparison key filled as derive_fields would (duplicate tests)."""

    phone = ""
    website = ""
    address_normalized = factory.LazyAttribute(
        lambda o: address_key(o.prefecture, o.city, o.town, normalize_street(o.street)))
    phone_normalized = factory.LazyAttribute(lambda o: phone_key(o.phone))


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"NC旋盤{n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"担当者{n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationSource

    organization = factory.SubFactory(OrganizationFactory)
    kind = SourceKind.IMPORT_FILE
    reference = "gbizinfo.csv"


class _UnscopedFactory(factory.django.DjangoModelFactory):
    """Office records are tenant-scoped; test set-up creates them without a scope."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class._base_manager


class ProfileChangeFactory(_UnscopedFactory):
    class Meta:
        model = ProfileChange

    organization = factory.SubFactory(OrganizationFactory)
    municipality = factory.LazyAttribute(lambda o: o.organization.municipality)
    changes = factory.LazyFunction(lambda: {"summary": "新しい事業概要です。"})


class DuplicateFlagFactory(_UnscopedFactory):
    class Meta:
        model = DuplicateFlag

    organization = factory.SubFactory(OrganizationFactory)
    duplicate_of = factory.SubFactory(OrganizationFactory)
    municipality = factory.LazyAttribute(lambda o: o.organization.municipality)
    reason = "name_address"


def image_upload(fmt: str = "JPEG", size: tuple[int, int] = (3000, 2000), mode: str = "RGB",
                 exif: bool = True) -> SimpleUploadedFile:
    """An uploaded image; by default a camera JPEG with EXIF (a model name, turned 90° by Orientation)."""
    image = Image.new(mode, size, (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30))
    out = BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x0110] = "SecretCam"  # Model
        data[0x0112] = 6  # Orientation: rotate 90° clockwise to display
        kwargs["exif"] = data.tobytes()
    image.save(out, fmt, **kwargs)
    return SimpleUploadedFile(f"photo.{fmt.lower()}", out.getvalue(), content_type=f"image/{fmt.lower()}")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationInvitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"colleague{n}@factory.example.jp")
    role = "editor"
