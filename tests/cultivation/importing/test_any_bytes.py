"""Whatever the bytes, the readers answer with rows or a sentence, never another exception."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cultivation.importing.readers import read_people
from cultivation.importing.rows import FileRefused, PersonRow

HEADER = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
PIECES = [
    b",",
    b";",
    b"\t",
    b'"',
    b"\r\n",
    b"\n",
    b"\r",
    b"=",
    b"@",
    b"+",
    b" ::: ",
    b"\xc3",
    b"\xa9",
    b"BEGIN:VCARD\r\n",
    b"END:VCARD\r\n",
    b"FN:",
    b"EMAIL;PREF=1:",
    b"=\r\n",
    b"ENCODING=QUOTED-PRINTABLE:",
    b"30 Feb 2024",
    b"a@b.example",
    b"Jane",
    b"\xff\xfe",
]


def read_everything(data):
    try:
        import_file = read_people(data, filename="fuzz.csv")
        rows = list(import_file.rows()) if import_file.has_name_column else []
    except FileRefused as refused:
        assert str(refused)
        return
    assert all(isinstance(row, PersonRow) for row in rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_pieces_of_csv_and_vcard_syntax(pieces):
    read_everything(b"".join(pieces))
    read_everything(HEADER + b"".join(pieces))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data):
    read_everything(data)
