"""JSON shape of an organisation, holding only the fields the caller may read.

Every field name here is a field of `visibility.FIELD_GROUPS`; a field the viewer may not read is left
out of the object (not sent as null), and a name missing from FIELD_GROUPS is never sent at all.
The serializer reads parts from the prefetched lists (selectors.organization_prefetch_parts), so a
page costs the same number of queries whatever its size.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField

from monozukuri.directory.models import Organization
from monozukuri.directory.visibility import Viewer


class OrganizationSerializer(serializers.ModelSerializer[Organization]):
    municipality = serializers.SerializerMethodField()
    industry = serializers.SerializerMethodField()
    capabilities = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    certifications = serializers.SerializerMethodField()
    equipment = serializers.SerializerMethodField()
    contacts = serializers.SerializerMethodField()
    sources = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            # identity (always public)
            "id", "corporate_number", "name", "kana", "name_en", "kind", "status", "municipality",
            "prefecture", "city", "town", "industry", "jsic_detail", "website", "summary", "products",
            "capabilities", "photos", "last_confirmed_on",
            # address
            "postcode", "street", "latitude", "longitude",
            # size
            "capital", "employees", "founded_on", "founded_year", "sme_class", "sme_rule",
            # certifications, equipment
            "certifications", "equipment",
            # contact
            "phone", "email", "representative", "representative_title", "contacts",
            # office records
            "staff_notes", "sources", "closed_on",
        ]
        read_only_fields = fields

    def _viewer(self) -> Viewer:
        viewer = self.context.get("viewer")
        if viewer is None:
            request = self.context.get("request")
            viewer = Viewer.of(getattr(request, "user", None))
            self.context["viewer"] = viewer
        return viewer

    def to_representation(self, instance: Organization) -> dict[str, Any]:
        """Only the fields of groups the viewer may read are even computed."""
        allowed = self._viewer().visible_fields(instance, self.fields.keys())
        out: dict[str, Any] = OrderedDict()
        for field in self._readable_fields:
            if field.field_name not in allowed:
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            out[field.field_name] = None if attribute is None else field.to_representation(attribute)
        return out

    @extend_schema_field({"type": "object", "nullable": True, "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "name_en": {"type": "string"}}})
    def get_municipality(self, org: Organization) -> dict[str, str] | None:
        m = org.municipality
        return {"code": m.code, "name": m.name, "name_en": m.name_en} if m else None

    @extend_schema_field({"type": "object", "nullable": True, "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "major_code": {"type": "string"},
        "major_name": {"type": "string"}}})
    def get_industry(self, org: Organization) -> dict[str, str] | None:
        d = org.industry
        return ({"code": d.code, "name": d.name, "major_code": d.major_code, "major_name": d.major_name}
                if d else None)

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_capabilities(self, org: Organization) -> list[dict[str, Any]]:
        return [{"id": c.pk, "slug": c.slug, "kind": c.kind, "label": c.label, "label_en": c.label_en}
                for c in org.capabilities.all()]

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_photos(self, org: Organization) -> list[dict[str, Any]]:
        request = self.context.get("request")
        out = []
        for p in org.photos.all():
            url = p.image.url
            out.append({"url": request.build_absolute_uri(url) if request else url, "alt_text": p.alt_text})
        return out

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_certifications(self, org: Organization) -> list[dict[str, Any]]:
        return [{"name": c.name, "number": c.number, "issued_on": c.issued_on, "expires_on": c.expires_on}
                for c in org.certifications.all()]

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_equipment(self, org: Organization) -> list[dict[str, Any]]:
        return [{"name": e.name, "maker": e.maker, "model_number": e.model_number, "quantity": e.quantity,
                 "spec": e.spec} for e in org.equipment.all()]

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_contacts(self, org: Organization) -> list[dict[str, Any]]:
        return [{"name": c.name, "role": c.role, "phone": c.phone, "email": c.email}
                for c in org.contacts.all()]

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_sources(self, org: Organization) -> list[dict[str, Any]]:
        return [{"kind": s.kind, "reference": s.reference, "recorded_at": s.recorded_at}
                for s in org.sources.all()]


class OrganizationHitSerializer(OrganizationSerializer):
    """One search hit: the organisation as OrganizationSerializer shows it to the caller, plus the
    search's ``score`` (null when the page was not ranked by relevance), ``snippet`` (HTML: escaped
    public text with ``<mark>`` around the matches) and, with a reference point, ``distance_km``.

    The hits come in ``context["hits"]`` (organisation id → SearchHit) and ``context["with_distance"]``.
    """

    score = serializers.FloatField(read_only=True, allow_null=True)
    snippet = serializers.CharField(read_only=True)
    distance_km = serializers.FloatField(read_only=True, allow_null=True, required=False)

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "score", "snippet", "distance_km"]
        read_only_fields = fields

    def to_representation(self, instance: Organization) -> dict[str, Any]:
        out = super().to_representation(instance)  # the search fields are in no visibility group
        hit = self.context["hits"][instance.pk]
        out["score"] = round(hit.score, 6) if hit.score is not None else None
        out["snippet"] = str(hit.snippet)
        if self.context.get("with_distance"):
            out["distance_km"] = round(hit.distance_km, 3) if hit.distance_km is not None else None
        return out


@extend_schema_field({"type": "array", "items": {"allOf": [
    {"$ref": "#/components/schemas/Organization"},
    {"type": "object", "properties": {
        "score": {"type": "number", "nullable": True,
                  "description": "Search only: relevance; null when not ranked"},
        "snippet": {"type": "string",
                    "description": "Search only: HTML, escaped text with <mark> around the matches"},
        "distance_km": {"type": "number", "nullable": True,
                        "description": "Search with a reference point (near, postcode, near_org) only"}}}]}})
class OrganizationHitListField(serializers.ListField):
    """The schema of the results of a search: each an Organization (as the caller may read it) plus the
    fields of OrganizationHitSerializer (one schema component for both, so clients share one type)."""


class FacetValueSerializer(serializers.Serializer[Any]):
    value = serializers.CharField(help_text="The filter value: pass it back as the facet's parameter")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    count = serializers.IntegerField(help_text="Hits of the current search with this value")
    selected = serializers.BooleanField(help_text="Whether the search filters on this value")


class OrganizationSearchPageSerializer(serializers.Serializer[Any]):
    """The list's answer. Without search parameters: ``count``, ``next``, ``previous``, ``results``; with
    ``q`` (or sort, distance, material or employees band) the search adds the count's cap and estimate,
    the facets, and each result's score and snippet."""

    count = serializers.IntegerField(help_text="Exact, or the cap when count_capped")
    count_capped = serializers.BooleanField(required=False, help_text="Search only: more hits than count")
    count_estimate = serializers.IntegerField(required=False, allow_null=True,
                                              help_text="Search only: estimated total when capped")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = OrganizationHitListField(child=serializers.DictField())
    facets = serializers.DictField(child=FacetValueSerializer(many=True), required=False,
                                   help_text="Search only: facet → values with hit counts")
    facets_estimated = serializers.BooleanField(required=False,
                                                help_text="Search only: facet counts are estimates")
