"""Print-shop package: one zip per order with the print PDFs, a job ticket (text and JSON),
sha256 checksums, the preflight report and a PNG thumbnail of every cover.

Saddle stitch up to ``max_saddle_pages`` (order.yml, default 64); above it, perfect binding with a
spine of pages / 2 × paper thickness (g/m² × volume / 1000 mm) and a separate cover PDF with the
spine, PDF/X-4 like the interior. File names are ASCII without spaces; the zip is reproducible.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .config import Edition, GuideConfig
from .errors import KkguideError
from .files import LIMITS, input_text
from .frozen import FrozenMap
from .preflight import PreflightReport, PrintSpec, preflight, reports_json
from .yamlfile import check_keys, load_yaml

_SAFE = re.compile(r"^[A-Za-z0-9._-]+$")
FINISH_VOLUME = {"matt coated": 1.0, "gloss coated": 0.9, "uncoated": 1.15}


@dataclass(frozen=True)
class Order:
    id: str
    shop: str
    paper_gsm: int
    finish: str
    volume: float
    quantities: FrozenMap      # language code -> copies
    max_saddle_pages: int
    path: str
    allow_drafts: bool = False    # the order file says a marked DRAFT may be printed
    line: int = 1                 # line of 'quantities' in the order file


@dataclass(frozen=True)
class Binding:
    kind: str                  # "saddle stitch" or "perfect binding"
    spine_mm: float            # 0 for saddle stitch


def load_order(path: Path, config: GuideConfig) -> Order:
    shown = str(path)
    doc = load_yaml(input_text(path, "order file", LIMITS["config"]), shown)
    data = doc.data
    check_keys(doc, data, (), {"order", "paper", "quantities"}, {"shop", "max_saddle_pages", "allow_drafts"})
    allow = data.get("allow_drafts", False)
    if not isinstance(allow, bool):
        raise KkguideError("'allow_drafts' must be true or false", shown, doc.line("allow_drafts"))
    order_id = str(data["order"])
    if not _SAFE.match(order_id):
        raise KkguideError("'order' may contain only ASCII letters, digits, '.', '_' and '-' (it names the zip)",
                           shown, doc.line("order"))
    check_keys(doc, data["paper"], ("paper",), {"weight_gsm", "finish"}, {"volume"})
    paper = data["paper"]
    if not isinstance(paper["weight_gsm"], int) or not 60 <= paper["weight_gsm"] <= 400:
        raise KkguideError("paper weight must be 60 to 400 g/m²", shown, doc.line("paper", "weight_gsm"))
    finish = str(paper["finish"])
    if finish not in FINISH_VOLUME:
        raise KkguideError(f"unknown finish '{finish}' (known: {', '.join(FINISH_VOLUME)})", shown,
                           doc.line("paper", "finish"))
    quantities = data["quantities"]
    if not isinstance(quantities, dict) or not quantities:
        raise KkguideError("'quantities' must map language codes to numbers of copies", shown, doc.line("quantities"))
    known = {lang.code for lang in config.languages}
    for code, copies in quantities.items():
        if str(code) not in known:
            raise KkguideError(f"unknown language '{code}' (this guide has: {', '.join(sorted(known))})",
                               shown, doc.line("quantities", code))
        if not isinstance(copies, int) or copies <= 0:
            raise KkguideError(f"quantity for '{code}' must be a positive whole number", shown,
                               doc.line("quantities", code))
    max_pages = data.get("max_saddle_pages", 64)
    if not isinstance(max_pages, int) or max_pages < 4 or max_pages % 4:
        raise KkguideError("'max_saddle_pages' must be a multiple of 4", shown, doc.line("max_saddle_pages"))
    return Order(id=order_id, shop=str(data.get("shop", "")), paper_gsm=paper["weight_gsm"], finish=finish,
                 volume=float(paper.get("volume", FINISH_VOLUME[finish])),
                 quantities=FrozenMap({str(k): v for k, v in quantities.items()}),
                 max_saddle_pages=max_pages, path=shown, allow_drafts=allow, line=doc.line("quantities"))


DRAFT_SUFFIX = "-DRAFT"


def draft_reasons(project, languages) -> tuple[str, ...]:
    """Why an order of ``languages`` is not final: an unreviewed German source, draft catalogs,
    printed facts nobody confirmed. Empty when every part has been signed off."""
    from .project import load_catalogs

    config = project.config
    reasons = []
    if not config.reviewed:
        reasons.append(f"the German text is not reviewed ({config.located.path}: reviewed is not true)")
    catalogs = load_catalogs(project, languages)
    drafts = sorted(code for code, cat in catalogs.items() if cat is not None and cat.is_draft)
    if drafts:
        reasons.append(f"draft translations (catalog header X-Kkguide-Review: draft): {', '.join(drafts)}")
    flagged = project.facts.flagged(project.printed_facts())
    if flagged:
        kinds = sorted({f.record.flag for f in flagged})
        reasons.append(f"{len(flagged)} printed fact(s) {' or '.join(kinds)} (kkguide facts lists them; "
                       f"first: {flagged[0].ref}, {project.facts.path}:{flagged[0].record.line})")
    return tuple(reasons)


def binding_for(pages: int, order: Order) -> Binding:
    if pages <= order.max_saddle_pages:
        return Binding("saddle stitch", 0.0)
    thickness_mm = order.paper_gsm * order.volume / 1000
    return Binding("perfect binding", round(pages / 2 * thickness_mm, 1))


COVER_TEMPLATE = "cover.html.j2"


def cover_html(config: GuideConfig, edition: Edition, title: str, language: str, direction: str,
               spine_mm: float) -> str:
    """Back cover, spine and front cover of a perfect-bound booklet as one page."""
    from .render import render_template

    width, height = edition.size_mm
    # laid flat, outside up: back | spine | front; a right-to-left booklet is bound on the right
    back_x, front_x = (width + spine_mm, 0) if direction == "rtl" else (0, width + spine_mm)
    return render_template(
        config.files, COVER_TEMPLATE, language=language, direction=direction, title=title,
        created=f"{config.stand.isoformat()}T00:00:00Z", total=2 * width + spine_mm, width=width, height=height,
        bleed=edition.bleed_mm, profile=edition.output_profile, back_x=back_x, front_x=front_x, spine=spine_mm,
        spine_font=f"{min(spine_mm * 2, 9):.1f}", publisher=config.publisher,
        publisher_address=config.publisher_address)


def pdf_title(data: bytes, default: str) -> str:
    """The guide title in the booklet's language, as the PDF's metadata carries it."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return str(pdf.docinfo.get("/Title", default))


def thumbnail(pdf: Path) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(Path(tmp) / "cover")], check=True, capture_output=True)
        return (Path(tmp) / "cover.png").read_bytes()


def job_ticket(order: Order, config: GuideConfig, edition: Edition, items: list[dict],
               draft: tuple[str, ...] = ()) -> dict:
    return {
        "draft": bool(draft), "draft_reasons": list(draft),
        "order": order.id, "shop": order.shop, "publisher": config.publisher, "stand": config.stand.isoformat(),
        "format": f"{edition.page_size} portrait, {edition.size_mm[0]:g} × {edition.size_mm[1]:g} mm trim, "
                  f"{edition.bleed_mm:g} mm bleed",
        "colours": "4/4 CMYK, PDF/X-4, output intent " + edition.output_condition,
        "paper": f"{order.paper_gsm} g/m² {order.finish}",
        "items": items,
        "total_copies": sum(i["quantity"] for i in items),
    }


DRAFT_BANNER = "*** DRAFT - NOT FOR FINAL PRINT: proof copies only, the content is not signed off ***"


def ticket_text(ticket: dict) -> str:
    banner = []
    if ticket.get("draft"):
        banner = [DRAFT_BANNER, *(f"    - {reason}" for reason in ticket["draft_reasons"]), ""]
    title = f"Job ticket {ticket['order']}" + (" (DRAFT)" if ticket.get("draft") else "")
    lines = banner + [title + (f" for {ticket['shop']}" if ticket["shop"] else ""),
             f"Publisher: {ticket['publisher']} (Stand {ticket['stand']})",
             f"Format:    {ticket['format']}", f"Colours:   {ticket['colours']}", f"Paper:     {ticket['paper']}", "",
             f"{'file':<48} {'lang':<5} {'pages':>5} {'binding':<16} {'edge':<6} {'spine':>6} {'copies':>7}"]
    for item in ticket["items"]:
        spine = f"{item['spine_mm']:.1f}" if item["spine_mm"] else "-"
        lines.append(f"{item['file']:<48} {item['language']:<5} {item['pages']:>5} {item['binding']:<16} "
                     f"{item['binding_edge']:<6} {spine:>6} {item['quantity']:>7}")
    lines += ["", f"Total copies: {ticket['total_copies']}", ""]
    if ticket.get("draft"):
        lines += [DRAFT_BANNER, ""]
    return "\n".join(lines)


def write_zip(files: dict[str, bytes], stamp: dt.date) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(stamp.year, stamp.month, stamp.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def checksums(files: dict[str, bytes]) -> bytes:
    return "".join(f"{hashlib.sha256(files[n]).hexdigest()}  {n}\n" for n in sorted(files)).encode()


def preflight_files(reports: list[PreflightReport]) -> dict[str, bytes]:
    return {"preflight.txt": ("\n\n".join(r.text() for r in reports) + "\n").encode(),
            "preflight.json": (reports_json(reports) + "\n").encode()}


def ticket_json(ticket: dict) -> bytes:
    return (json.dumps(ticket, ensure_ascii=False, indent=2) + "\n").encode()


def make_package(root: Path, out: Path, order_path: Path, workers: int,
                 report=lambda job: None, notify=lambda message: None, allow_drafts: bool = False) -> tuple[Path, dict]:
    """Build (or reuse) the order's print PDFs, then write ``out/orders/<order>.zip``.

    An order with draft content (unreviewed German, a draft catalog among its languages, a printed
    fact unverified or stale) is refused unless ``allow_drafts`` or the order file's
    ``allow_drafts: true``; then the ticket says DRAFT and every file name carries ``-DRAFT``."""
    from .build import build
    from .config import load_config
    from .fsio import atomic_write
    from .pdf import render_pdf
    from .press import to_press

    config = load_config(root)
    edition = config.edition("print")
    order = load_order(order_path, config)
    from .project import load_project

    draft = draft_reasons(load_project(root, config), list(order.quantities))
    if draft and not (allow_drafts or order.allow_drafts):
        raise KkguideError("refused: this order would print draft content: " + "; ".join(draft)
                           + ". Sign it off, or print marked proofs with --allow-drafts "
                           "(or 'allow_drafts: true' in the order file)", order.path, order.line)
    suffix = DRAFT_SUFFIX if draft else ""
    result = build(root, out, list(order.quantities), ["print"], workers=workers, report=report, notify=notify)
    if result.skipped:
        raise KkguideError(result.skipped[0].reason, order.path)
    files: dict[str, bytes] = {}
    reports: list[PreflightReport] = []
    items = []
    for job_result in result.results:
        code = job_result.job.language.code
        name = Path(job_result.artifact.path).name.replace(".pdf", f"{suffix}.pdf")
        binding = binding_for(job_result.artifact.pages, order)
        files[f"pdf/{name}"] = job_result.data
        reports.append(preflight(job_result.data, PrintSpec(edition.size_mm, edition.bleed_mm, edition.min_dpi), name))
        with tempfile.TemporaryDirectory() as tmp:
            interior = Path(tmp) / name
            interior.write_bytes(job_result.data)
            files[f"thumbnails/{code}-cover.png"] = thumbnail(interior)
        item = {"file": f"pdf/{name}", "language": code, "pages": job_result.artifact.pages,
                "binding_edge": "right" if job_result.job.language.direction == "rtl" else "left",
                "binding": binding.kind, "spine_mm": binding.spine_mm, "quantity": order.quantities[code],
                "sha256": job_result.artifact.sha256}
        if binding.kind == "perfect binding":
            title = pdf_title(job_result.data, config.title)
            html = cover_html(config, edition, title, code, job_result.job.language.direction, binding.spine_mm)
            cover_name = name.replace("-print", "-cover")
            rendered = render_pdf(html, config.files, cover_name, "pdf/x-4")
            cover = to_press(rendered.data, config.files.read_bytes(str(edition.output_profile), "profile"), edition.output_condition)
            trim = (2 * edition.size_mm[0] + binding.spine_mm, edition.size_mm[1])
            reports.append(preflight(cover, PrintSpec(trim, edition.bleed_mm, edition.min_dpi, 1), cover_name))
            files[f"pdf/{cover_name}"] = cover
            item["cover"] = f"pdf/{cover_name}"
            item["cover_trim_mm"] = [round(trim[0], 1), trim[1]]
        items.append(item)
    failed = [r for r in reports if not r.ok]
    if failed:
        bad = next(f for f in failed[0].findings if not f.ok)
        raise KkguideError(f"preflight failed: {bad.check}: {bad.message}", failed[0].path)
    ticket = job_ticket(order, config, edition, items, draft)
    files["job-ticket.json"] = ticket_json(ticket)
    files["job-ticket.txt"] = ticket_text(ticket).encode()
    files.update(preflight_files(reports))
    files["SHA256SUMS"] = checksums(files)
    target = out / "orders" / f"{order.id}{suffix}.zip"
    atomic_write(target, write_zip(files, config.stand))
    return target, ticket
