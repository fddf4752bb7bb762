"""The pre-consultation summary as an A4 PDF, rendered from its HTML template by WeasyPrint
(which lays text out with the system's Pango and fonts: .ci/run installs them)."""

from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML


def summary_pdf(document: dict[str, Any], *, patient_code: str, language: str) -> bytes:
    html = render_to_string(
        "records/summary/pdf.html", {"summary": document, "patient_code": patient_code, "language": language}
    )
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None  # noqa: S101 - write_pdf without a target returns the bytes
    return pdf
