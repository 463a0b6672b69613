"""Benchmark the import readers: how long files take to recognise and read, and memory.

    python -m benchmarks.reading [--rows 100000] [--formats csv vcard xlsx]

Builds, in memory, a LinkedIn Connections.csv of `--rows` people (5% of them twice,
1% with an impossible date or a bad email, one in ten with an accented name and one
in fifty of those as mojibake), the same people as vCards and as an .xlsx workbook,
then times `read_people` (recognise and check the whole file) and reading every row
in CPU seconds (this process's: fair on a busy machine) and wall seconds, and reports
Python's peak allocation while reading (tracemalloc) beside the file's size.
No database.
"""

import argparse
import io
import os
import time
import tracemalloc

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivio.settings")
django.setup()

from cultivation.importing.readers import read_people  # noqa: E402

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
PREAMBLE = 'Notes:\r\n"When exporting your connection data, some emails are missing."\r\n\r\n'
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def person(index):
    """(first, last, url, email, company, position, connected on) for the index-th row."""
    first = "José" if index % 10 == 0 else f"Ann{index % 997}"
    if index % 500 == 0:
        first = "José".encode().decode("cp1252")  # mojibake
    email = f"person{index}@example.org" if index % 3 else ""
    connected = f"{index % 28 + 1} {MONTHS[index % 12]} {2010 + index % 15}"
    if index % 200 == 1:
        connected = "30 Feb 2024"
    if index % 200 == 101:
        email = "not an email"
    return (
        first,
        f"Lee{index}",
        f"https://www.linkedin.com/in/person{index}",
        email,
        f"Firm {index % 5000}, Ltd",
        "Partner",
        connected,
    )


def people(rows):
    duplicates = rows // 20
    for index in range(rows - duplicates):
        yield person(index)
    for index in range(duplicates):
        yield person(index * 7)


def linkedin_csv(rows):
    out = io.StringIO()
    out.write(PREAMBLE + HEADER + "\r\n")
    for cells in people(rows):
        out.write(",".join(f'"{cell}"' if "," in cell else cell for cell in cells) + "\r\n")
    return out.getvalue().encode("utf-8-sig")


def vcards(rows):
    out = io.StringIO()
    for first, last, url, email, company, position, _ in people(rows):
        company = company.replace(",", "\\,")
        out.write(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{first} {last}\r\nN:{last};{first};;;\r\n"
            f"EMAIL;TYPE=work:{email}\r\nORG:{company}\r\n"
            f"TITLE:{position}\r\nURL:{url}\r\nEND:VCARD\r\n"
        )
    return out.getvalue().encode()


def workbook(rows):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER.split(","))
    for cells in people(rows):
        sheet.append(list(cells))
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def read_all(data, filename):
    """(seconds to read_people, seconds to read every row too, rows, rows with errors)."""
    started = time.process_time()
    import_file = read_people(data, filename=filename)
    recognised = time.process_time() - started
    rows = errors = 0
    for row in import_file.rows():
        rows += 1
        errors += bool(row.errors)
    return recognised, time.process_time() - started, rows, errors


def measure(label, data, filename):
    wall = time.perf_counter()
    recognised, total, rows, errors = read_all(data, filename)
    wall = time.perf_counter() - wall
    # Measured apart: tracing allocations slows Python several times over.
    tracemalloc.start()
    read_all(data, filename)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"| {label} | {len(data) / 1e6:.1f} MB | {rows:,} ({errors:,} with errors) "
        f"| {recognised:.2f} s | {total:.2f} s ({wall:.2f} s) | {peak / 1e6:.0f} MB |",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", nargs="+", default=["csv", "vcard", "xlsx"])
    options = parser.parse_args()
    print(
        "| file | size | rows read | read_people, CPU (checks the whole file) "
        "| and every row, CPU (wall) | Python's peak allocation |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    builders = {
        "csv": ("LinkedIn CSV", linkedin_csv, "Connections.csv"),
        "vcard": ("vCard 3.0", vcards, "contacts.vcf"),
        "xlsx": ("LinkedIn layout as .xlsx", workbook, "connections.xlsx"),
    }
    for name in options.formats:
        label, build, filename = builders[name]
        measure(label, build(options.rows), filename)


if __name__ == "__main__":
    main()
