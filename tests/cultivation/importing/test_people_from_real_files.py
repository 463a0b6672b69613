"""Real files, read by the real readers, all the way to people: what each kept."""

import pytest

from cultivation.models import Contact
from cultivation.services import import_confirm, import_run, import_upload

pytestmark = pytest.mark.django_db

GOOGLE_HEADER = (
    "First Name,Middle Name,Last Name,Organization Name,Organization Title,"
    "E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Labels"
)
LINKEDIN = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    'are missing."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Ann,Lee,https://www.linkedin.com/in/ann-lee,,Harbour Trust,Partner,14 Mar 2024\n"
)


def _import(owner, name, data):
    batch = import_upload(by=owner, owner=owner, file_name=name, data=data.encode())
    import_confirm(batch=batch, by=owner, on_match="skip", enqueue=False)
    assert import_run(batch_id=batch.pk) is True
    return batch


def test_a_second_email_and_phone_are_kept_in_how_we_know_them(owner):
    _import(
        owner,
        "contacts.csv",
        GOOGLE_HEADER + "\nPriya,,Raman,Harbour Trust,Partner,* Work ::: Home,"
        "priya@harbour.example ::: priya.raman@gmail.example,Mobile ::: Work,"
        "+44 7700 900123 ::: +44 20 7946 0000,* myContacts\n",
    )

    priya = Contact.objects.get()
    assert (priya.email, priya.phone) == ("priya@harbour.example", "+44 7700 900123")
    assert priya.how_we_know_them.splitlines() == [
        "Other emails: priya.raman@gmail.example.",
        "Other phones: +44 20 7946 0000.",
    ]


def test_linkedin_connected_on_is_said_once(owner):
    _import(owner, "Connections.csv", LINKEDIN)

    ann = Contact.objects.get()
    assert ann.how_we_know_them == "Connected on LinkedIn on 14 Mar 2024"
