"""Writes on organisations' accounts: inviting colleagues, accepting, leaving, roles (owner / editor).

An owner (or staff of the organisation's municipality) invites a colleague by email; the mail carries
a signed acceptance link valid for 14 days (selectors.invitation_token). Accepting with an account of
that address makes the person a member; with no account yet, acceptance creates one with the
password the person chooses. An organisation always keeps at least one owner.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from monozukuri.accounts import services as account_services
from monozukuri.core import audit
from monozukuri.core.roles import Role
from monozukuri.directory import permissions
from monozukuri.directory.models import (
    MemberRole,
    Organization,
    OrganizationInvitation,
    OrganizationMembership,
)
from monozukuri.directory.selectors import invitation_token


def _locked_org(org: Organization) -> Organization:
    return Organization.objects.select_for_update().get(pk=org.pk)


def _owner_count(org: Organization) -> int:
    return OrganizationMembership.objects.filter(organization=org, role=MemberRole.OWNER).count()


def _send_invitation_mail(invitation: OrganizationInvitation, accept_url: str, inviter: Any) -> None:
    context = {"org": invitation.organization, "invitation": invitation, "accept_url": accept_url,
               "inviter": inviter, "role": invitation.get_role_display()}
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("directory/membership_invite_subject.txt", context).split())
        body = render_to_string("directory/membership_invite_email.txt", context)
    transaction.on_commit(partial(send_mail, subject, body, None, [invitation.email]))


@transaction.atomic
def membership_invite(*, actor: Any, org: Organization, email: str, role: str, site_url: str
                      ) -> OrganizationInvitation:
    """Invite a colleague to the organisation's account by email (a signed link, valid 14 days).

    An open invitation to the same address is sent again with a fresh link rather than duplicated.
    """
    org = _locked_org(org)
    if not permissions.can_manage_members(actor, org):
        raise PermissionDenied
    address = (email or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": [_("メールアドレスの形式が正しくありません。")]}) from None
    if role not in MemberRole.values:
        raise ValidationError({"role": [_("権限を選んでください。")]})
    if OrganizationMembership.objects.filter(organization=org, user__email__iexact=address).exists():
        raise ValidationError({"email": [
            _("%(email)s はすでにこの組織のメンバーです。") % {"email": address}]})
    invitation = (OrganizationInvitation.objects.filter(organization=org, email__iexact=address,
                                                        accepted_at__isnull=True).first())
    if invitation is None:
        invitation = OrganizationInvitation.objects.create(organization=org, email=address, role=role,
                                                           invited_by=actor)
    else:
        # A fresh link restarts the 14 days: the creation time is what the link's age is measured from.
        OrganizationInvitation.objects.filter(pk=invitation.pk).update(
            role=role, invited_by=actor, created_at=timezone.now())
        invitation.refresh_from_db()
    url = site_url.rstrip("/") + reverse("directory:membership-accept", args=[invitation_token(invitation)])
    _send_invitation_mail(invitation, url, actor)
    audit.record(actor=actor, action="directory.membership_invite", target=invitation, root=org,
                 municipality_id=org.municipality_id,
                 changes={"invitee": [None, address], "role": [None, role]})
    return invitation


@transaction.atomic
def invitation_cancel(*, actor: Any, invitation: OrganizationInvitation) -> None:
    """Withdraw an invitation not yet accepted (its link stops working)."""
    org = _locked_org(invitation.organization)
    if not permissions.can_manage_members(actor, org):
        raise PermissionDenied
    if invitation.accepted_at is not None:
        raise ValidationError(_("この招待はすでに受け入れられています。"))
    audit.record(actor=actor, action="directory.invitation_cancel", target=invitation, root=org,
                 municipality_id=org.municipality_id, changes={"invitee": [invitation.email, None]})
    invitation.delete()


def _join(*, user: Any, invitation: OrganizationInvitation) -> OrganizationMembership:
    locked = OrganizationInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ValidationError(_("この招待はすでに使われています。ログインしてご利用ください。"))
    org = _locked_org(locked.organization)
    membership, created = OrganizationMembership.objects.get_or_create(
        organization=org, user=user, defaults={"role": locked.role})
    if not created and locked.role == MemberRole.OWNER and membership.role != MemberRole.OWNER:
        membership.role = MemberRole.OWNER
        membership.save(update_fields=["role"])
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    audit.record(actor=user, action="directory.membership_accept", target=membership, root=org,
                 municipality_id=org.municipality_id,
                 changes={"user": [None, user.email], "role": [None, membership.role]})
    return membership


@transaction.atomic
def membership_accept(*, user: Any, invitation: OrganizationInvitation) -> OrganizationMembership:
    """The invited person, signed in with the invited address, joins the organisation's account."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(_("この招待は %(email)s 宛てです。そのメールアドレスでログインしてください。")
                              % {"email": invitation.email})
    return _join(user=user, invitation=invitation)


@transaction.atomic
def membership_accept_new_account(*, invitation: OrganizationInvitation, password: str,
                                  display_name: str = "") -> OrganizationMembership:
    """Accept an invitation to an address without an account: the account is created first."""
    if get_user_model().objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(
            _("このメールアドレスのアカウントはすでにあります。ログインしてから受け入れてください。"))
    user = account_services.user_create(actor=None, email=invitation.email, password=password,
                                        display_name=display_name.strip(), role=Role.ORGANIZATION_MEMBER)
    return _join(user=user, invitation=invitation)


def _locked_membership(membership: OrganizationMembership) -> tuple[Organization, OrganizationMembership]:
    org = _locked_org(membership.organization)
    return org, OrganizationMembership.objects.select_related("user").get(pk=membership.pk)


@transaction.atomic
def membership_leave(*, user: Any, org: Organization) -> None:
    """A member leaves the organisation's account; the last owner cannot leave."""
    org = _locked_org(org)
    membership = OrganizationMembership.objects.filter(organization=org, user_id=user.pk).first()
    if membership is None:
        raise PermissionDenied
    if membership.role == MemberRole.OWNER and _owner_count(org) <= 1:
        raise ValidationError(
            _("管理者が一人だけのため、退会できません。先にほかのメンバーを管理者にしてください。"))
    audit.record(actor=user, action="directory.membership_leave", target=membership, root=org,
                 municipality_id=org.municipality_id, changes={"user": [user.email, None]})
    membership.delete()


@transaction.atomic
def membership_remove(*, actor: Any, membership: OrganizationMembership) -> None:
    """An owner (or staff of its municipality) removes a member; the last owner stays."""
    org, membership = _locked_membership(membership)
    if not permissions.can_manage_members(actor, org):
        raise PermissionDenied
    if membership.role == MemberRole.OWNER and _owner_count(org) <= 1:
        raise ValidationError(_("最後の管理者は外せません。先にほかのメンバーを管理者にしてください。"))
    audit.record(actor=actor, action="directory.membership_remove", target=membership, root=org,
                 municipality_id=org.municipality_id, changes={"user": [membership.user.email, None]})
    membership.delete()


@transaction.atomic
def membership_role_set(*, actor: Any, membership: OrganizationMembership, role: str
                        ) -> OrganizationMembership:
    """Make a member an owner or an editor; the last owner cannot become an editor."""
    org, membership = _locked_membership(membership)
    if not permissions.can_manage_members(actor, org):
        raise PermissionDenied
    if role not in MemberRole.values:
        raise ValidationError({"role": [_("権限を選んでください。")]})
    if membership.role == role:
        return membership
    if membership.role == MemberRole.OWNER and _owner_count(org) <= 1:
        raise ValidationError(
            _("最後の管理者は編集者にできません。先にほかのメンバーを管理者にしてください。"))
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(actor=actor, action="directory.membership_role_set", target=membership, root=org,
                 municipality_id=org.municipality_id, changes={"role": [before, role]})
    return membership
