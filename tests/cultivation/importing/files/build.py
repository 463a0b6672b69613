"""Build the messy test files beside this script: python tests/cultivation/importing/files/build.py

The bytes are committed; run this only to change them, then check the diff.
"""

# ruff: noqa: E501 (rows of test data read best one to a line)

import codecs
import csv
import io
from pathlib import Path

here = Path(__file__).parent


def moj(text):
    """UTF-8 read as Windows-1252: what a spreadsheet round trip does to a name."""
    return text.encode("utf-8").decode("cp1252")


linkedin = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing. '
    'You will only see email addresses for connections who have allowed it."\r\n'
    "\r\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    'Jane,Doe,https://www.linkedin.com/in/janedoe,  Jane@Example.com ,"Harbour, Hale & Co",Managing Partner,14 Mar 2024\r\n'
    "Janet,Doe,https://www.linkedin.com/in/janetdoe,jane@example.COM,Harbour Hale,Partner,01 Feb 2023\r\n"
    f'{moj("José")},{moj("García")},https://www.linkedin.com/in/jose-garcia,,{moj("Café Noël")},"Head of ""Growth""\nEMEA",03 Jan 2022\r\n'
    "José,García,https://www.linkedin.com/in/jose-garcia-2,,Café Noël,Counsel,05 Jan 2022\r\n"
    ",,https://www.linkedin.com/in/nobody,,Ghost Ltd,,10 Oct 2021\r\n"
    "   ,   ,https://www.linkedin.com/in/spaces,,Spaces Ltd,,11 Oct 2021\r\n"
    ",,https://www.linkedin.com/in/emailonly,only@example.org,,,12 Oct 2021\r\n"
    "Wei,  Chen ,https://www.linkedin.com/in/weichen,,Lotus   Advisory,CFO,30 Feb 2024\r\n"
    "Ann,Lee,https://www.linkedin.com/in/annlee,ann at example.org,Lee & Lee,Owner,2 Apr 2024\r\n"
)
(here / "linkedin_connections.csv").write_bytes(codecs.BOM_UTF8 + linkedin.encode("utf-8"))

google_header = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,"
    "Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,"
    "Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,"
    "E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,"
    "Phone 2 - Value,Address 1 - Label,Address 1 - Formatted,Address 1 - City,Website 1 - Label,"
    "Website 1 - Value"
)


def csv_row(header, **cells):
    names = next(csv.reader([header]))
    row = [""] * len(names)
    for name, value in cells.items():
        row[names.index(name.replace("_", " "))] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(row)
    return out.getvalue()[:-2]


def G(**cells):  # short: one call a row below
    return csv_row(google_header, **cells)


google_rows = [
    # a full row: labels with system ones, two emails in one cell, two phones,
    # a multi-line address, a LinkedIn website
    G(
        **{
            "First Name": "Priya",
            "Middle Name": "K.",
            "Last Name": "Shah",
            "Organization Name": "Shah, Rao & Partners",
            "Organization Title": "Director",
            "Birthday": "1980-05-06",
            "Notes": 'Met at the "Harbour" dinner',
            "Labels": "* myContacts ::: Clients ::: * starred",
            "E-mail 1 - Label": "* Work ::: Home",
            "E-mail 1 - Value": "  priya@shah.example  ::: p.shah@home.example",
            "Phone 1 - Label": "Mobile",
            "Phone 1 - Value": "+44 7700 900123",
            "Phone 2 - Label": "Work",
            "Phone 2 - Value": "+44 20 7946 0958",
            "Address 1 - Label": "Home",
            "Address 1 - Formatted": "1 High St\nFlat 2\nLondon",
            "Address 1 - City": "London",
            "Website 1 - Label": "Profile",
            "Website 1 - Value": "https://www.linkedin.com/in/priyashah",
        }
    ),
    # the same email differing only in case; a website that is not LinkedIn
    G(
        **{
            "First Name": "Tom",
            "Last Name": "Reed",
            "Organization Name": "Reed Ltd",
            "Labels": "* myContacts",
            "E-mail 1 - Value": "PRIYA@shah.example",
            "Website 1 - Label": "Blog",
            "Website 1 - Value": "https://tomreed.example",
        }
    ),
    # mojibake beside the right spelling
    G(
        **{
            "First Name": moj("Renée"),
            "Last Name": "Dubois",
            "Labels": "* myContacts ::: Friends",
            "E-mail 1 - Value": "renee@dubois.example",
        }
    ),
    G(
        **{
            "First Name": "Renée",
            "Last Name": "Dubois",
            "E-mail 1 - Value": "renee.d@dubois.example",
        }
    ),
    # nothing to go on but a phone
    G(
        **{
            "Organization Name": "Empty Org",
            "Phone 1 - Label": "Mobile",
            "Phone 1 - Value": "07700 900999",
        }
    ),
]
(here / "google_contacts.csv").write_bytes(
    codecs.BOM_UTF8 + ("\r\n".join([google_header, *google_rows]) + "\r\n").encode("utf-8")
)

google_old_header = (
    "Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,Additional Name Yomi,"
    "Family Name Yomi,Name Prefix,Name Suffix,Initials,Nickname,Short Name,Maiden Name,Birthday,"
    "Gender,Location,Billing Information,Directory Server,Mileage,Occupation,Hobby,Sensitivity,"
    "Priority,Subject,Notes,Group Membership,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,"
    "Phone 1 - Value,Organization 1 - Type,Organization 1 - Name,Organization 1 - Yomi Name,"
    "Organization 1 - Title,Website 1 - Type,Website 1 - Value"
)


def old_google(**cells):
    return csv_row(google_old_header, **cells)


old_rows = [
    old_google(
        **{
            "Name": "Marta Nowak",
            "Given Name": "Marta",
            "Family Name": "Nowak",
            "Occupation": "Lawyer",
            "Group Membership": "* My Contacts ::: Partners",
            "E-mail 1 - Type": "* Work",
            "E-mail 1 - Value": "marta@nowak.example",
            "Phone 1 - Type": "Work",
            "Phone 1 - Value": "+48 22 123 45 67",
            "Organization 1 - Name": "Nowak Legal",
            "Organization 1 - Title": "Partner",
            "Website 1 - Value": "https://www.linkedin.com/in/martanowak",
        }
    ),
    old_google(
        **{
            "Given Name": "Łukasz",
            "Family Name": "Żak",
            "Group Membership": "* My Contacts",
            "E-mail 1 - Value": "lukasz@zak.example",
            "Organization 1 - Name": "Żak & Co",
            "Organization 1 - Title": "Owner",
        }
    ),
]
# Older exports were UTF-16 with a BOM (the "Outlook CSV" choice in old Google Contacts).
(here / "google_contacts_old_utf16.csv").write_bytes(
    ("\r\n".join([google_old_header, *old_rows]) + "\r\n").encode("utf-16")
)

outlook_header = (
    '"Title","First Name","Middle Name","Last Name","Suffix","Company","Department","Job Title",'
    '"Business Street","Business Street 2","Business Street 3","Business City","Business State",'
    '"Business Postal Code","Business Country/Region","Home Street","Home City","Home Postal Code",'
    '"Assistant\'s Phone","Business Fax","Business Phone","Business Phone 2","Callback","Car Phone",'
    '"Company Main Phone","Home Fax","Home Phone","Home Phone 2","ISDN","Mobile Phone","Other Fax",'
    '"Other Phone","Pager","Primary Phone","Radio Phone","TTY/TDD Phone","Telex","Account",'
    '"Anniversary","Assistant\'s Name","Billing Information","Birthday","Categories","Children",'
    '"E-mail Address","E-mail Type","E-mail Display Name","E-mail 2 Address","E-mail 2 Type",'
    '"E-mail 2 Display Name","E-mail 3 Address","E-mail 3 Type","E-mail 3 Display Name","Gender",'
    '"Initials","Keywords","Language","Location","Manager\'s Name","Notes","Office Location",'
    '"Priority","Private","Profession","Referred By","Sensitivity","Spouse","Web Page"'
)
width = outlook_header.count('","') + 1


def outlook_row(**cells):
    names = [name.strip('"') for name in outlook_header.split('","')]
    row = [""] * width
    for name, value in cells.items():
        row[names.index(name)] = value
    return ",".join('"' + value.replace('"', '""') + '"' for value in row)


outlook_rows = [
    outlook_row(
        **{
            "Title": "Dr.",
            "First Name": "Zoë",
            "Middle Name": "A.",
            "Last Name": "Müller",
            "Company": "Müller & Söhne, GmbH",
            "Job Title": "Geschäftsführerin",
            "Business Phone": "+49 30 1234567",
            "Mobile Phone": "+49 170 1234567",
            "Business Fax": "+49 30 7654321",
            "Categories": "Clients;VIP",
            "E-mail Address": " zoe@mueller.example ",
            "E-mail Display Name": "Zoë Müller (zoe@mueller.example)",
            "E-mail 2 Address": "ZOE@mueller.example",
            "E-mail 3 Address": "zm@home.example",
            "Notes": 'Prefers "Zoë".\r\nMet at the Berlin forum.',
            "Anniversary": "3/14/2024",
            "Account": "ACC-1",
            "Web Page": "https://www.linkedin.com/in/zoemueller",
        }
    ),
    outlook_row(
        **{
            "First Name": "Bob",
            "Last Name": "Stone",
            "E-mail Address": "bob@stone",
            "Company": "Stone €uro Ltd",
        }
    ),
    outlook_row(**{"First Name": " ", "Last Name": "  ", "Company": "Nameless Inc"}),
    outlook_row(
        **{
            "First Name": moj("José"),
            "Last Name": moj("García"),
            "E-mail Address": "jose@garcia.example",
        }
    ),
    outlook_row(
        **{"First Name": "José", "Last Name": "García", "E-mail Address": "JOSE@garcia.example"}
    ),
]
(here / "outlook_contacts.csv").write_bytes(
    ("\r\n".join([outlook_header, *outlook_rows]) + "\r\n").encode("cp1252")
)

contactually = (
    "first_name,last_name,company_name,job_title,email,email_2,phone,phone_2,address_street,"
    "address_city,address_state,address_zip,bucket,tags,last_contacted_at\n"
    "Sam,Ortiz,Ortiz Partners,Founder,sam@ortiz.example,SAM@ORTIZ.EXAMPLE,555-0100,555-0199,"
    '"12 Elm St, Suite 4",Austin,TX,73301,"Referral Partners, Clients","golf, board",2021-06-30 14:05:00 UTC\n'
    "Kim,Park,,,kim@park.example,,,,,,,,Prospects,,06/30/2021\n"
    "Lee,Hart,,,lee@hart.example,,,,,,,,,,02/30/2021\n"
    "Ana,Ruiz,,,ana@ruiz.example,,,,,,,,,,31/12/2021\n"
)
(here / "contactually_export.csv").write_bytes(contactually.encode("utf-8"))

vcf = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Priya Shah\r\nN:Shah;Priya;;;\r\n"
    "EMAIL;TYPE=INTERNET,HOME:priya@home.example\r\nEMAIL;TYPE=INTERNET,WORK,pref:priya@shah.example\r\n"
    "TEL;TYPE=CELL:+44 7700 900123\r\nORG:Shah\\, Rao & Partners;Advisory\r\nTITLE:Director\r\n"
    "URL:https://www.linkedin.com/in/priyashah\r\nCATEGORIES:Clients,Partners\r\n"
    "NOTE:Met at the dinner\\, loves sailing.\\nCall in spring.\r\n"
    "BDAY:1980-05-06\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jean-Luc\r\n  Picard\r\nN:Picard;Jean-Luc;;;\r\n"
    "EMAIL;PREF=2:jl@home.example\r\nEMAIL;TYPE=work;PREF=1:jl@enterprise.example\r\n"
    'TEL;VALUE=uri;TYPE="voice,cell":tel:+33-1-23-45-67-89\r\nEND:VCARD\r\n'
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BC=\r\nller\r\n"
    "NOTE;ENCODING=QUOTED-PRINTABLE:Line one=0D=0ALine two\r\n"
    "TEL;CELL;PREF:+49 170 1234567\r\nTEL;HOME:+49 30 111\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Nowak;Marta;Anna;Dr.;\r\nEMAIL: marta@nowak.example \r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Only An Org\r\nTEL:123\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bad Email\r\nEMAIL:not-an-email\r\nEND:VCARD\r\n"
)
(here / "contacts.vcf").write_bytes(vcf.encode("utf-8"))
