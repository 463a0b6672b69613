"""Merging in a real browser: from the duplicates page to the survivor's page, every touch there."""

import pytest

from tests import factories


@pytest.mark.django_db(transaction=True)
def test_merging_two_people_from_the_duplicates_page_brings_every_touch_to_one(
    page, login, screenshot
):
    owner = factories.UserFactory(username="alice", first_name="Alice")
    harbour = factories.OrganisationFactory(name="Harbour Logistics")
    sam = factories.ContactFactory(
        name="Sam O'Neill", owner=owner, organisation=harbour, email="sam@harbour.example"
    )
    twin = factories.ContactFactory(
        name="Sam ONeill", owner=owner, organisation=harbour, email="SAM@Harbour.example"
    )
    notes = ["Coffee at the quay", "Sent the freight article", "Called about the tender"]
    factories.TouchFactory(contact=sam, method="lunch", note=notes[0])
    factories.TouchFactory(contact=twin, method="email", note=notes[1])
    factories.TouchFactory(contact=twin, method="note", note=notes[2])
    login(page, owner)

    page.goto("/contacts/")
    page.get_by_role("link", name="Possible duplicates").click()
    page.get_by_role("link", name=f"Merge Sam ONeill (#{twin.pk}) into Sam O'Neill").click()
    assert page.get_by_role("table", name="What moves").inner_text().split() == ["Touches", "2"]
    screenshot(page, "merge-confirmation")
    page.get_by_role("button", name="Merge Sam ONeill into Sam O'Neill").click()

    page.wait_for_url(f"**/contacts/{sam.pk}/")
    assert (
        page.get_by_role("alert")
        .inner_text()
        .startswith("Merged Sam ONeill into Sam O'Neill: 2 record(s) moved.")
    )
    timeline = page.locator("#timeline")
    for note in notes:
        assert timeline.get_by_text(note).is_visible()
    assert timeline.get_by_text(f"Sam ONeill (#{twin.pk})").is_visible()
    screenshot(page, "merge-survivor")
    page.goto(f"/contacts/{twin.pk}/")
    assert page.url.endswith(f"/contacts/{sam.pk}/")
