"""The pre-consultation summary as an A4 PDF, rendered from its HTML template by WeasyPrint
(which lays text out with the system's Pango and fonts: .ci/run installs them)."""

from typing import Any

from django.template.loader import render_to_string


def summary_pdf(document: dict[str, Any], *, patient_code: str, language: str) -> bytes:
    # Imported here: WeasyPrint (and its CSS engine) takes about a second to import, which every
    # server process would pay at start-up for a page only some clinicians ask for.
    from weasyprint import HTML

    html = render_to_string(
        "records/summary/pdf.html", {"summary": document, "patient_code": patient_code, "language": language}
    )
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None  # noqa: S101 - write_pdf without a target returns the bytes
    return pdf
