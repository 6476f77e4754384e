"""Organisations' accounts: inviting colleagues by mail, accepting (with or without an account),
leaving, removing, owner / editor rights, and the last owner who cannot go."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from monozukuri.core.audit import history_for
from monozukuri.core.roles import Role
from monozukuri.directory.models import MemberRole, OrganizationInvitation, OrganizationMembership
from monozukuri.directory.services import memberships
from monozukuri.directory.tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
LINK_RE = re.compile(r"http://testserver(/directory/invitations/[^/\s]+/)")


@pytest.fixture
def org(sumida):
    return OrganizationFactory(municipality=sumida, name="株式会社隅田精工")


@pytest.fixture
def owner(org, make_user):
    user = make_user(Role.ORGANIZATION_MEMBER, email="owner@sumida-seiko.example.jp")
    MembershipFactory(organization=org, user=user, role=MemberRole.OWNER)
    return user


@pytest.fixture
def editor(org, make_user):
    user = make_user(Role.ORGANIZATION_MEMBER, email="editor@sumida-seiko.example.jp")
    MembershipFactory(organization=org, user=user, role=MemberRole.EDITOR)
    return user


def _invite(client, org, email, django_capture_on_commit_callbacks, role="editor"):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("directory:membership-list", args=[org.pk]),
                               {"email": email, "role": role}, follow=True)
    return response


def _link(message) -> str:
    match = LINK_RE.search(message.body)
    assert match, message.body
    return match.group(1)


def test_an_owner_invites_a_colleague_by_mail_with_an_acceptance_link(
        client, org, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    response = _invite(client, org, "New@Sumida-Seiko.example.jp", django_capture_on_commit_callbacks)
    assert "new@sumida-seiko.example.jp に招待メールを送りました" in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["new@sumida-seiko.example.jp"]
    assert "株式会社隅田精工" in message.subject
    assert _link(message).startswith("/directory/invitations/")
    assert history_for(org).filter(action="directory.membership_invite").exists()


def test_inviting_the_same_address_again_resends_the_same_invitation(
        client, org, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    _invite(client, org, "new@example.jp", django_capture_on_commit_callbacks)
    _invite(client, org, "new@example.jp", django_capture_on_commit_callbacks, role="owner")
    invitation = OrganizationInvitation.objects.get()
    assert invitation.role == "owner"
    assert len(mail.outbox) == 2


def test_an_existing_member_cannot_be_invited_again(client, org, owner, editor,
                                                     django_capture_on_commit_callbacks):
    client.force_login(owner)
    response = _invite(client, org, editor.email, django_capture_on_commit_callbacks)
    assert "すでにこの組織のメンバーです" in response.content.decode()
    assert mail.outbox == []


def test_an_editor_may_not_invite(client, org, editor):
    client.force_login(editor)
    response = client.get(reverse("directory:membership-list", args=[org.pk]))
    assert response.status_code == 200
    assert 'name="email"' not in response.content.decode()
    assert client.post(reverse("directory:membership-list", args=[org.pk]),
                       {"email": "x@example.jp", "role": "editor"}).status_code == 403


def test_staff_of_the_municipality_may_invite_the_firms_first_owner(
        client, org, sumida_staff, django_capture_on_commit_callbacks):
    client.force_login(sumida_staff)
    _invite(client, org, "boss@sumida-seiko.example.jp", django_capture_on_commit_callbacks, role="owner")
    assert OrganizationInvitation.objects.get().role == "owner"


def test_the_member_pages_are_404_for_staff_of_another_municipality(client, org, arakawa_staff, owner):
    client.force_login(arakawa_staff)
    membership = OrganizationMembership.objects.get(user=owner)
    assert client.get(reverse("directory:membership-list", args=[org.pk])).status_code == 404
    remove = reverse("directory:membership-remove", args=[org.pk, membership.pk])
    assert client.post(remove).status_code == 404
    assert client.post(reverse("directory:membership-role", args=[org.pk, membership.pk]),
                       {f"m{membership.pk}-role": "editor"}).status_code == 404


def test_a_signed_in_person_with_the_invited_address_accepts(
        client, org, owner, make_user, django_capture_on_commit_callbacks):
    colleague = make_user(Role.PUBLIC, email="colleague@example.jp")
    client.force_login(owner)
    _invite(client, org, "colleague@example.jp", django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    client.force_login(colleague)
    assert "招待を受け入れる" in client.get(link).content.decode()
    response = client.post(link)
    assert response["Location"] == reverse("directory:organization-edit", args=[org.pk])
    assert OrganizationMembership.objects.get(user=colleague).role == MemberRole.EDITOR
    assert OrganizationInvitation.objects.get().accepted_at is not None
    assert "すでに使われています" in client.get(link).content.decode()  # one link, one acceptance


def test_someone_without_an_account_chooses_a_password_and_joins(
        client, org, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    _invite(client, org, "newcomer@example.jp", django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    client.logout()
    assert "パスワード" in client.get(link).content.decode()
    response = client.post(link, {"display_name": "新人", "password1": "short", "password2": "short"})
    assert response.status_code == 200  # too short: the form says so, the name stays
    assert 'value="新人"' in response.content.decode()
    response = client.post(link, {"display_name": "新人", "password1": "kanagata-2024-xyz",
                                  "password2": "kanagata-2024-xyz"})
    user = get_user_model().objects.get(email="newcomer@example.jp")
    assert user.role == Role.ORGANIZATION_MEMBER
    assert user.check_password("kanagata-2024-xyz")
    assert OrganizationMembership.objects.filter(organization=org, user=user).exists()
    assert response["Location"] == reverse("directory:organization-edit", args=[org.pk])
    assert client.get(response["Location"]).status_code == 200  # signed in


def test_someone_with_an_account_is_asked_to_log_in_first(
        client, org, owner, make_user, django_capture_on_commit_callbacks):
    make_user(Role.PUBLIC, email="has-account@example.jp")
    client.force_login(owner)
    _invite(client, org, "has-account@example.jp", django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    client.logout()
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_person_signed_in_with_another_address_cannot_accept(
        client, org, owner, partner_user, django_capture_on_commit_callbacks):
    client.force_login(owner)
    _invite(client, org, "someone@example.jp", django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    client.force_login(partner_user)
    response = client.post(link)
    assert "someone@example.jp 宛て" in response.content.decode()
    assert not OrganizationMembership.objects.filter(user=partner_user).exists()


def test_an_expired_or_tampered_link_says_why(client, org, owner, monkeypatch,
                                              django_capture_on_commit_callbacks):
    client.force_login(owner)
    _invite(client, org, "late@example.jp", django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    client.logout()
    tampered = client.get(link.replace("/invitations/", "/invitations/x"))
    assert tampered.status_code == 410
    assert "正しくありません" in tampered.content.decode()
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 15 * 24 * 3600)
    expired = client.get(link)
    assert expired.status_code == 410
    assert "有効期限が切れています" in expired.content.decode()


def test_a_cancelled_invitation_stops_working(client, org, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    _invite(client, org, "maybe@example.jp", django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    invitation = OrganizationInvitation.objects.get()
    client.post(reverse("directory:membership-invitation-cancel", args=[org.pk, invitation.pk]))
    assert "取り消されました" in client.get(link).content.decode()


def test_a_member_leaves(client, org, owner, editor):
    client.force_login(editor)
    response = client.post(reverse("directory:membership-leave", args=[org.pk]))
    assert response["Location"] == org.get_absolute_url()
    assert not OrganizationMembership.objects.filter(user=editor).exists()


def test_the_last_owner_cannot_leave(client, org, owner, editor):
    client.force_login(owner)
    response = client.post(reverse("directory:membership-leave", args=[org.pk]), follow=True)
    assert "管理者が一人だけのため、退会できません" in response.content.decode()
    assert OrganizationMembership.objects.filter(user=owner).exists()


def test_an_owner_makes_an_editor_owner_and_can_then_leave(client, org, owner, editor):
    client.force_login(owner)
    membership = OrganizationMembership.objects.get(user=editor)
    client.post(reverse("directory:membership-role", args=[org.pk, membership.pk]),
                {f"m{membership.pk}-role": "owner"})
    membership.refresh_from_db()
    assert membership.role == MemberRole.OWNER
    client.post(reverse("directory:membership-leave", args=[org.pk]))
    assert not OrganizationMembership.objects.filter(user=owner).exists()


def test_the_last_owner_cannot_be_made_an_editor_or_removed(org, owner, sumida_staff):
    membership = OrganizationMembership.objects.get(user=owner)
    with pytest.raises(ValidationError, match="最後の管理者は編集者にできません"):
        memberships.membership_role_set(actor=owner, membership=membership, role=MemberRole.EDITOR)
    with pytest.raises(ValidationError, match="最後の管理者は外せません"):
        memberships.membership_remove(actor=sumida_staff, membership=membership)


def test_an_owner_removes_an_editor_but_an_editor_removes_nobody(client, org, owner, editor):
    owner_membership = OrganizationMembership.objects.get(user=owner)
    with pytest.raises(PermissionDenied):
        memberships.membership_remove(actor=editor, membership=owner_membership)
    client.force_login(owner)
    editor_membership = OrganizationMembership.objects.get(user=editor)
    client.post(reverse("directory:membership-remove", args=[org.pk, editor_membership.pk]))
    assert not OrganizationMembership.objects.filter(user=editor).exists()
    assert history_for(org).filter(action="directory.membership_remove").exists()


def test_a_former_member_can_no_longer_edit(client, org, owner, editor):
    client.force_login(editor)
    client.post(reverse("directory:membership-leave", args=[org.pk]))
    assert client.get(reverse("directory:organization-edit", args=[org.pk])).status_code == 404
