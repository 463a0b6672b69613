"""Tags and the export in a real browser: tag a person on their form, filter the list by
the tag, and download the list's people as CSV."""

from pathlib import Path

import pytest

from cultivation.models import Contact
from tests import factories


@pytest.mark.django_db(transaction=True)
def test_tag_a_person_filter_by_the_tag_and_export_what_the_list_shows(page, login, screenshot):
    owner = factories.UserFactory(username="alice", first_name="Alice", last_name="Owner")
    priya = factories.ContactFactory(name="Priya Shah", owner=owner)
    factories.ContactFactory(name="Sam Patel", owner=owner)
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    login(page, owner)

    page.goto(f"/contacts/{priya.pk}/edit/")
    page.get_by_label("Tags").fill("Clients, Board members")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/contacts/{priya.pk}/")
    assert page.locator("#tags").inner_text() == "Tags: Board members Clients"
    screenshot(page, "tags-contact-page")

    page.locator("#tags").get_by_role("link", name="Clients").click()
    page.wait_for_url("**/contacts/?tag=Clients")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert "Priya Shah" in rows.first.inner_text()
    screenshot(page, "tags-contact-list-filtered")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("people-")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[1].split(",")[1] == "Priya Shah"
    assert len(text.splitlines()) == 2
    assert list(
        Contact.objects.get(pk=priya.pk).tags.values_list("name", flat=True).order_by("name")
    ) == [
        "Board members",
        "Clients",
    ]
    assert errors == []
