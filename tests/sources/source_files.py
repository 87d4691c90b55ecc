"""The files the sources read, written by the tests themselves: WARC files with warcio's WARCWriter
(records of any type, damaged at will afterwards) and PDFs with fpdf2 (a text PDF with a running
header and page numbers on every page, an image-only PDF)."""

import base64
import hashlib
import io
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF
from PIL import Image
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HEADER = "Rapport annuel 2023 – Partenariats de l’OMD"

# Three partner sections over two pages, as a report sets them: hard-wrapped lines, words cut at the
# line's end (one of them across the page break), a hyphenated place name that keeps its hyphen.
REPORT = [
    [
        "Union africaine (UA)",
        "L’Union africaine (UA) est un partenaire de coopération de longue date de l’OMD",
        "pour la modernisation des douanes du continent. Un Protocole d’accord a été si-",
        "gné à Addis-Abeba le 12 mars 2019 par l’UA et l’OMD ; il fixe le cadre des pro-",
        "jets communs consacrés à la facilitation des échanges et à la lutte contre la",
        "fraude douanière dans la zone de libre-échange continentale africaine.",
        "Banque mondiale",
        "La Banque mondiale finance depuis 2008 des programmes de renforcement des capa-",
        "cités des administrations douanières. En juin 2020, la Banque mondiale et l’OMD",
        "ont conclu un accord de financement destiné à soutenir la réforme des procé-",
    ],
    [
        "dures de dédouanement dans six pays d’Afrique de l’Ouest. Une évaluation à mi-",
        "parcours est prévue pour le second semestre de 2024.",
        "Organisation mondiale du commerce (OMC)",
        "L’Organisation mondiale du commerce (OMC) et l’OMD coopèrent à la mise en œuvre",
        "de l’Accord sur la facilitation des échanges. Les deux organisations ont publié",
        "en 2021 un guide commun consacré aux guichets uniques du commerce extérieur.",
    ],
]


class _Report(FPDF):
    """A report's pages: the running header at the top, the page number at the bottom of each."""

    running_header: str | None = None

    def header(self):
        if self.running_header:
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, self.running_header, new_x="LMARGIN", new_y="NEXT")

    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", size=9)
        self.cell(0, 8, f"– {self.page_no()} –", align="C")


def write_pdf(path: Path, pages=REPORT, header: str | None = HEADER, password: str | None = None,
              owner_password: str | None = None) -> Path:
    """A text PDF of ``pages`` (each a list of lines), written with the core fonts in Windows-1252 (so
    that French accents, ’ and œ are text, as a word processor's export has them)."""
    pdf = _Report(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.running_header = header
    if password or owner_password:
        pdf.set_encryption(owner_password=owner_password or "owner", user_password=password)
    for lines in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=10)
        for line in lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    path.write_bytes(bytes(pdf.output()))
    return path


def write_image_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF of pictures only, as a scanner makes: no text layer."""
    pdf = FPDF(format="A4")
    for n in range(pages):
        pdf.add_page()
        pdf.image(Image.new("L", (400, 560), 200 + n), x=10, y=10, w=190)
    path.write_bytes(bytes(pdf.output()))
    return path


def page_html(heading: str, text: str, title: str = "Nos partenaires") -> str:
    return (f"<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1>"
            f"<h2>{heading}</h2><p>{text}</p></body></html>")


def payload_digest(body: bytes) -> str:
    """A payload's WARC-Payload-Digest, as warcio and the Internet Archive write it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()


@dataclass
class Warc:
    """A WARC file being written: each method appends a record and returns its offset. Record ids
    are made from the record's URL, date and type, so that the same records make the same bytes."""

    path: Path
    gzip: bool = True
    buffer: io.BytesIO = field(default_factory=io.BytesIO)

    def __post_init__(self):
        self.writer = WARCWriter(self.buffer, gzip=self.gzip)

    def _write(self, record) -> int:
        offset = self.buffer.tell()
        self.writer.write_record(record)
        return offset

    @staticmethod
    def _headers(url: str, date: str, kind: str, **more) -> dict:
        return {"WARC-Date": date, "WARC-Record-ID": f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url + date + kind)}>",
                **more}

    def response(self, url: str, body: bytes | str, date: str, content_type: str | None = "text/html; charset=utf-8",
                 status: str = "200 OK", headers=()) -> int:
        body = body.encode("utf-8") if isinstance(body, str) else body
        http = [("Content-Type", content_type)] if content_type else []
        http = StatusAndHeaders(status, http + list(headers), protocol="HTTP/1.1")
        return self._write(self.writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                                          warc_headers_dict=self._headers(url, date, "response")))

    def request(self, url: str, date: str) -> int:
        http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
        return self._write(self.writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=http,
                                                          warc_headers_dict=self._headers(url, date, "request")))

    def resource(self, url: str, body: str, date: str, content_type: str = "text/html") -> int:
        return self._write(self.writer.create_warc_record(
            url, "resource", payload=io.BytesIO(body.encode("utf-8")), warc_content_type=content_type,
            warc_headers_dict=self._headers(url, date, "resource")))

    def revisit(self, url: str, date: str, refers_to_date: str, digest: str | None = None,
                status: str = "200 OK") -> int:
        """A revisit record: "identical payload digest" when given a digest, else "server not modified"."""
        http = StatusAndHeaders(status, [("Content-Type", "text/html")], protocol="HTTP/1.1")
        headers = self._headers(url, date, "revisit")
        if digest:
            record = self.writer.create_revisit_record(url, digest, url, refers_to_date, http_headers=http,
                                                       warc_headers_dict=headers)
        else:
            headers.update({"WARC-Profile": "http://netpreserve.org/warc/1.0/revisit/server-not-modified",
                            "WARC-Refers-To-Target-URI": url, "WARC-Refers-To-Date": refers_to_date})
            record = self.writer.create_warc_record(url, "revisit", http_headers=http, warc_headers_dict=headers)
        return self._write(record)

    def info(self, date: str = "2024-01-01T00:00:00Z") -> int:
        return self._write(self.writer.create_warc_record(
            "", "warcinfo", payload=io.BytesIO(b"software: tests\r\n"), warc_content_type="application/warc-fields",
            warc_headers_dict=self._headers(self.path.name, date, "warcinfo")))

    def save(self) -> Path:
        self.path.write_bytes(self.buffer.getvalue())
        return self.path

    @property
    def data(self) -> bytes:
        return self.buffer.getvalue()
