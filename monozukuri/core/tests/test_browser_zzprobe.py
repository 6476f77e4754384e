import json
import pytest
from django_scopes import scopes_disabled
from monozukuri.testing.browser import run_axe, login
from monozukuri.accounts.tests.factories import DEFAULT_PASSWORD


def dump(page, name):
    r = run_axe(page)
    out = []
    for v in r["violations"]:
        out.append(f"  [{v['impact']}] {v['id']}: {v['help']} -> " + "; ".join(n["html"][:120] for n in v["nodes"][:4]))
    print(f"=== {name} {page.url} title={page.title()!r}\n" + "\n".join(out))
    page.screenshot(path=f"/tmp/shots/{name}.png", full_page=True)


@pytest.mark.browser
def test_probe(page, live_server, seed_plans, sumida_staff, tmg_officer):
    u = live_server.url
    page.goto(u + "/"); dump(page, "home")
    page.goto(u + "/plans/"); dump(page, "list")
    p = seed_plans["131075"]
    page.goto(u + p.get_absolute_url()); dump(page, "detail")
    page.goto(u + "/nope/"); dump(page, "404")
    page.goto(u + "/api/v1/docs/"); page.wait_for_timeout(1500); dump(page, "apidocs")
    page.goto(u + "/accounts/login/")
    page.fill('input[name=username]', "x@example.jp"); page.fill('input[name=password]', "bad")
    page.click('form:has(input[name=username]) button[type=submit]'); dump(page, "login_err")
    login(page, live_server, sumida_staff.email, DEFAULT_PASSWORD)
    page.goto(u + p.get_absolute_url()); dump(page, "detail_staff")
    page.goto(u + "/plans/new/"); dump(page, "plan_new")
    page.click("main button[type=submit]"); dump(page, "plan_new_err")
    page.goto(u + "/accounts/settings/"); page.fill("input[name=name]", "t1"); page.click("main button[type=submit]"); dump(page, "settings")
    page.goto(u + f"/plans/{p.pk}/edit/"); dump(page, "403")
