"""Pages for introductions: the inbox of the people involved, one introduction, and its steps."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_scopes import scopes_disabled

from monozukuri.matching import permissions, selectors
from monozukuri.matching.forms import AgreementForm, ContractForm, DeclineForm, MeetingForm, OutcomeForm
from monozukuri.matching.models import IntroductionStatus, Side
from monozukuri.matching.presenters import consented_request_ids, present_request
from monozukuri.matching.services import introductions as services
from monozukuri.matching.services.introductions import candidate_name
from monozukuri.matching.views.common import service_error


@login_required
def introduction_list(request: HttpRequest) -> HttpResponse:
    """The inbox: introductions the user is part of (as requester or candidate) and their office's."""
    user = request.user
    rows = selectors.introduction_list(user=user)
    with scopes_disabled():
        requests = {i.request_id: i.request for i in rows}
        _prefetch(requests.values())
        consented = consented_request_ids(user, list(requests))
        cards = {pk: present_request(r, user, consented=pk in consented) for pk, r in requests.items()}
    items = [
        {
            "intro": i,
            "card": cards[i.request_id],
            "candidate": candidate_name(i),
            "waiting_for_me": _waiting_for(user, i),
        }
        for i in rows
    ]
    return render(request, "matching/introduction_list.html", {"items": items})


def _prefetch(requests: Any) -> None:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(list(requests), "capability_links__capability", "attachments")


def _waiting_for(user: Any, intro: Any) -> bool:
    if intro.status != IntroductionStatus.PROPOSED:
        return False
    return (intro.requester_consented_at is None and permissions.is_requester_side(user, intro.request)) or (
        intro.candidate_consented_at is None and permissions.is_candidate_side(user, intro)
    )


@login_required
def introduction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One introduction: both sides, their consents, the steps so far and the next step's form."""
    user = request.user
    intro = selectors.introduction_get(user=user, pk=pk)
    with scopes_disabled():
        _prefetch([intro.request])
        card = present_request(intro.request, user)
    status = intro.status
    forms: dict[str, Any] = {}
    if permissions.can_record_progress(user, intro, IntroductionStatus.MEETING_HELD):
        forms["meeting"] = MeetingForm()
    if permissions.can_record_progress(user, intro, IntroductionStatus.AGREED):
        forms["agreement"] = AgreementForm()
    if permissions.can_record_progress(user, intro, IntroductionStatus.CONTRACTED):
        forms["contract"] = ContractForm()
    if permissions.can_report_outcome(user, intro):
        forms["report"] = OutcomeForm()
    return render(
        request,
        "matching/introduction_detail.html",
        {
            "intro": intro,
            "card": card,
            "candidate_name": candidate_name(intro),
            "status": status,
            "steps": IntroductionStatus.choices,
            "can_consent_requester": permissions.can_consent(user, intro, Side.REQUESTER),
            "can_consent_candidate": permissions.can_consent(user, intro, Side.CANDIDATE),
            "is_office": permissions.is_office(user, intro.municipality_id),
            "show_contacts": permissions.can_see_candidate_contact(user, intro),
            "can_decline": permissions.can_decline(user, intro),
            "decline_form": DeclineForm(),
            "forms": forms,
            "history": selectors.introduction_history(user=user, intro=intro),
            "candidate_members": _candidate_contacts(intro)
            if permissions.can_see_candidate_contact(user, intro)
            else [],
        },
    )


def _candidate_contacts(intro: Any) -> list[tuple[str, str]]:
    """Names and addresses of the candidate side, shown once both sides consented."""
    from monozukuri.matching.notifications import organization_users

    if intro.candidate_org_id is not None:
        return [(str(u), u.email) for u in organization_users([intro.candidate_org_id])]
    adviser = intro.candidate_adviser
    return [(adviser.name, adviser.email or (adviser.user.email if adviser.user else ""))] if adviser else []


STEPS = {
    "meeting": (
        MeetingForm,
        lambda a, i, d: services.introduction_record_meeting(
            actor=a, intro=i, meeting_on=d["meeting_on"], note=d["note"]
        ),
        gettext_lazy("面談を記録しました。"),
    ),
    "agreement": (
        AgreementForm,
        lambda a, i, d: services.introduction_record_agreement(
            actor=a, intro=i, agreed_on=d["agreed_on"], amount=d["amount"], note=d["note"]
        ),
        gettext_lazy("見積・合意を記録しました。"),
    ),
    "contract": (
        ContractForm,
        lambda a, i, d: services.introduction_contract(
            actor=a, intro=i, amount=d["amount"], contracted_on=d["contracted_on"]
        ),
        gettext_lazy("成約を記録しました。"),
    ),
    "decline": (
        DeclineForm,
        lambda a, i, d: services.introduction_decline(actor=a, intro=i, reason=d["reason"]),
        gettext_lazy("不成立として記録しました。"),
    ),
    "report": (
        OutcomeForm,
        lambda a, i, d: services.introduction_report_outcome(
            actor=a, intro=i, note=d["note"], rating=d["rating"]
        ),
        gettext_lazy("成果を報告しました。"),
    ),
}


@login_required
@require_POST
def introduction_step(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Consent (for one side) or record the next step of an introduction."""
    user = request.user
    intro = selectors.introduction_get(user=user, pk=pk)
    try:
        if verb == "consent":
            side = request.POST.get("side", "")
            services.introduction_consent(actor=user, intro=intro, side=side)
            messages.success(request, _("同意しました。"))
        elif verb in STEPS:
            form_class, run, done = STEPS[verb]
            form = form_class(request.POST)
            if not form.is_valid():
                for field, errors in form.errors.items():
                    label = form.fields[field].label if field in form.fields else ""
                    for message in errors:
                        messages.error(request, f"{label}: {message}" if label else str(message))
                return redirect(intro)
            run(user, intro, form.cleaned_data)
            messages.success(request, str(done))
        else:
            raise Http404
    except (PermissionDenied, ValidationError) as exc:
        service_error(request, exc)
    return redirect(intro)
