"""Citizen pages stay light on a phone: ≤ 100 KB transferred (compressed) including htmx and CSS, all from us."""

from tests.factories import make_lab

BUDGET = 100 * 1024


def test_citizen_pages_weigh_under_budget(page, db, settings, users, live_server):
    lab = make_lab(db, settings, users)
    transferred: dict[str, int] = {}

    def count(request):
        sizes = request.sizes()
        transferred[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]

    page.on("requestfinished", count)
    weights = {}
    for label, go in (
        ("welcome", lambda: page.goto(f"/t/{lab.tokens[0]}")),
        ("privacy", lambda: page.goto("/donnees-personnelles")),
        ("accessibility", lambda: page.goto("/accessibilite")),
    ):
        transferred.clear()
        go()
        page.wait_for_load_state("networkidle")
        weights[label] = sum(transferred.values())
    page.goto(f"/t/{lab.tokens[0]}")
    page.get_by_role("checkbox").first.check()
    transferred.clear()
    page.get_by_role("button").filter(has_text="Commencer").first.click()
    page.wait_for_load_state("networkidle")
    weights["first step (cached assets)"] = sum(transferred.values())
    print("\npage weights (bytes transferred):", weights)
    assert all(weight <= BUDGET for weight in weights.values()), weights
    assert all(url.startswith(live_server.url) for url in transferred)
