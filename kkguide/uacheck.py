"""A PDF/UA-1 checker: the failure conditions of the Matterhorn Protocol 1.1 that a program can
test, written from ISO 14289-1 and the Protocol's condition texts (and the ISO 32000-1 tables they
cite), not from what kkguide writes. ``kkguide check-pdf FILE...`` runs it; the tests run it on
every edition. ``docs/accessibility.md`` lists what it covers and what needs a person.

Each finding names its Matterhorn condition (``"28-011"``). The checker reads any PDF; it knows
nothing of WeasyPrint or of kkguide's templates.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

import pikepdf

# ISO 32000-1 14.8.4: the standard structure types
STANDARD = {
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index", "NonStruct",
    "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH",
    "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note", "Reference", "BibEntry", "Code", "Link", "Annot",
    "Ruby", "RB", "RT", "RP", "Warichu", "WT", "WP", "Figure", "Formula", "Form"}
# ISO 32000-1 Table 333 (TOC), 336 (lists), 337 (tables): allowed children and parents
CHILDREN = {
    "TOC": {"TOCI", "TOC", "Caption"},
    "TOCI": {"Lbl", "Reference", "NonStruct", "P", "TOC"},
    "L": {"LI", "L", "Caption"},
    "LI": {"Lbl", "LBody"},
    "Table": {"TR", "THead", "TBody", "TFoot", "Caption"},
    "THead": {"TR"}, "TBody": {"TR"}, "TFoot": {"TR"},
    "TR": {"TH", "TD"},
}
PARENTS = {
    "TOCI": {"TOC"}, "LI": {"L"}, "Lbl": {"LI", "TOCI", "BibEntry", "Note"}, "LBody": {"LI"},
    "TR": {"Table", "THead", "TBody", "TFoot"}, "TH": {"TR"}, "TD": {"TR"},
    "THead": {"Table"}, "TBody": {"Table"}, "TFoot": {"Table"},
}
CONDITION_OF = {"TOC": "09-006", "TOCI": "09-006", "L": "09-005", "LI": "09-005", "Lbl": "09-005",
                "LBody": "09-005"}
PAINTING = {"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Do", "sh", "BI"}
LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class Finding:
    condition: str     # Matterhorn failure condition, e.g. "28-011"
    message: str
    page: int | None = None   # 1-based

    def text(self) -> str:
        where = f" (page {self.page})" if self.page else ""
        return f"{self.condition}: {self.message}{where}"


class _Report:
    def __init__(self):
        self.findings: list[Finding] = []
        self.seen: Counter = Counter()

    def fail(self, condition: str, message: str, page: int | None = None, limit: int = 5) -> None:
        """Record a failure; after ``limit`` of one condition, only count them."""
        self.seen[condition] += 1
        if self.seen[condition] <= limit:
            self.findings.append(Finding(condition, message, page))


def _role(element, rolemap) -> str:
    s = str(element.get("/S", ""))[1:]
    seen = set()
    while s not in STANDARD and rolemap is not None and f"/{s}" in rolemap and s not in seen:
        seen.add(s)
        s = str(rolemap[f"/{s}"])[1:]
    return s


def _kids(node) -> list:
    k = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _is_elem(node) -> bool:
    return isinstance(node, pikepdf.Dictionary) and node.get("/Type") not in ("/MCR", "/OBJR") and "/S" in node


class _Tree:
    """The structure tree read once: elements in document order, what each references."""

    def __init__(self, pdf: pikepdf.Pdf, report: _Report):
        self.elements: list = []
        self.parent: dict = {}
        self.mcids: Counter = Counter()       # (page objgen, mcid) -> times referenced
        self.objrs: dict = {}                 # annotation objgen -> enclosing element
        root = pdf.Root.get("/StructTreeRoot")
        self.root = root
        self.rolemap = root.get("/RoleMap") if root is not None else None
        if root is None:
            return
        stack = [(kid, None) for kid in reversed(_kids(root))]
        visited = set()
        while stack:
            node, parent = stack.pop()
            if isinstance(node, int):
                page = parent.get("/Pg") if parent is not None else None
                if page is None:
                    report.fail("01-005", "marked-content reference without a page")
                else:
                    self.mcids[(page.objgen, int(node))] += 1
                continue
            if not isinstance(node, pikepdf.Dictionary):
                continue
            if node.get("/Type") == "/MCR":
                page = node.get("/Pg") or (parent.get("/Pg") if parent is not None else None)
                if page is not None:
                    self.mcids[(page.objgen, int(node.MCID))] += 1
                continue
            if node.get("/Type") == "/OBJR":
                self.objrs.setdefault(node.Obj.objgen, parent)
                continue
            if not _is_elem(node):
                continue
            if node.objgen in visited and node.objgen != (0, 0):
                report.fail("09-002", "a structure element is reachable twice")
                continue
            visited.add(node.objgen)
            self.elements.append(node)
            self.parent[node.objgen] = parent
            stack.extend((kid, node) for kid in reversed(_kids(node)))

    def role(self, element) -> str:
        return _role(element, self.rolemap)

    def parent_role(self, element) -> str | None:
        parent = self.parent.get(element.objgen)
        return self.role(parent) if parent is not None else None


def _check_document(pdf: pikepdf.Pdf, report: _Report) -> None:
    root = pdf.Root
    meta = root.get("/Metadata")
    if meta is None:
        report.fail("06-001", "no XMP metadata stream in the catalog")
    else:
        xmp = bytes(meta.read_bytes()).decode("utf-8", "replace")
        if not re.search(r"pdfuaid:part\s*(=\s*[\"']1[\"']|>\s*1\s*<)", xmp):
            report.fail("06-002", "XMP metadata has no PDF/UA identifier (pdfuaid:part 1)")
        if not re.search(r"<dc:title>.*?\S.*?</dc:title>", xmp, re.S):
            report.fail("06-003", "XMP metadata has no dc:title")
    prefs = root.get("/ViewerPreferences")
    if prefs is None or "/DisplayDocTitle" not in prefs:
        report.fail("07-001", "ViewerPreferences has no DisplayDocTitle")
    elif not bool(prefs.DisplayDocTitle):
        report.fail("07-002", "DisplayDocTitle is false")
    mark = root.get("/MarkInfo")
    if mark is not None and bool(mark.get("/Suspects", False)):
        report.fail("01-007", "MarkInfo Suspects is true")
    if mark is None or not bool(mark.get("/Marked", False)):
        report.fail("01-005", "MarkInfo Marked is not true: the document is not tagged")
    lang = str(root.get("/Lang", "")).strip()
    if not lang:
        report.fail("11-006", "the catalog has no Lang: the language of metadata, text, Alt and Contents cannot be determined")
    elif not LANG.match(lang):
        report.fail("11-001", f"catalog Lang {lang!r} is not a language tag")
    if pdf.is_encrypted:
        perms = pdf.encryption
        if perms is None:
            report.fail("26-001", "encrypted without a P entry")
        elif not pdf.allow.accessibility:
            report.fail("26-002", "encrypted and bit 10 (accessibility) of P is off")
    names = root.get("/Names")
    if names is not None and "/EmbeddedFiles" in names:
        stack = [names.EmbeddedFiles]
        while stack:
            node = stack.pop()
            stack.extend(node.get("/Kids", []))
            items = list(node.get("/Names", []))
            for spec in items[1::2]:
                if "/F" not in spec or "/UF" not in spec:
                    report.fail("21-001", "an embedded file's specification lacks F or UF")
    ocp = root.get("/OCProperties")
    if ocp is not None:
        configs = list(ocp.get("/Configs", []))
        for config in configs:
            if not str(config.get("/Name", "")):
                report.fail("20-001", "an optional content configuration has no Name")
        if "/D" in ocp and not str(ocp.D.get("/Name", "")):
            report.fail("20-002", "the default optional content configuration has no Name")
        for config in configs + ([ocp.D] if "/D" in ocp else []):
            if "/AS" in config:
                report.fail("20-003", "an optional content configuration has an AS entry")
    acro = root.get("/AcroForm")
    if acro is not None and "/XFA" in acro:
        xfa = acro.XFA
        parts = list(xfa)[1::2] if isinstance(xfa, pikepdf.Array) else [xfa]
        if any(b'dynamicRender' in bytes(p.read_bytes()) and b'required' in bytes(p.read_bytes()) for p in parts):
            report.fail("25-001", "XFA with dynamicRender required")


def _check_rolemap(tree: _Tree, report: _Report) -> None:
    rolemap = tree.rolemap
    if rolemap is not None:
        for key, value in rolemap.items():
            name = key[1:]
            if name in STANDARD:
                report.fail("02-004", f"standard type {name} is remapped")
            seen, s = {name}, str(value)[1:]
            while s not in STANDARD:
                if s in seen:
                    report.fail("02-003", f"circular role mapping from {name}")
                    break
                seen.add(s)
                if f"/{s}" not in rolemap:
                    report.fail("02-001", f"{name} does not map to a standard type")
                    break
                s = str(rolemap[f"/{s}"])[1:]
    for element in tree.elements:
        role = tree.role(element)
        if role not in STANDARD:
            report.fail("02-001", f"structure type {role} is neither standard nor role-mapped")


def _check_elements(tree: _Tree, report: _Report) -> None:
    headings: list[int] = []
    plain_h = False
    for element in tree.elements:
        role = tree.role(element)
        parent = tree.parent_role(element)
        condition = CONDITION_OF.get(role, "09-004")
        if role in CHILDREN:
            for kid in _kids(element):
                if _is_elem(kid) and tree.role(kid) not in CHILDREN[role]:
                    report.fail(CONDITION_OF.get(role, "09-004"), f"{role} contains {tree.role(kid)}")
                elif not _is_elem(kid) and role in ("TOC", "L", "Table", "THead", "TBody", "TFoot", "TR"):
                    report.fail(CONDITION_OF.get(role, "09-004"), f"{role} contains content directly")
        if role in PARENTS and parent not in PARENTS[role]:
            report.fail(condition, f"{role} inside {parent}")
        if role == "Figure" and not str(element.get("/Alt", "")).strip() and not str(element.get("/ActualText", "")).strip():
            report.fail("13-004", "Figure without Alt or ActualText")
        if role == "Formula" and not str(element.get("/Alt", "")).strip():
            report.fail("17-002", "Formula without Alt")
        if role == "Note" and "/ID" not in element:
            report.fail("19-003", "Note without ID")
        lang = element.get("/Lang")
        if lang is not None and not LANG.match(str(lang)):
            report.fail("11-001", f"Lang {str(lang)!r} is not a language tag")
        if re.fullmatch(r"H[1-9][0-9]*", role):
            headings.append(int(role[1:]))
        elif role == "H":
            plain_h = True
        if sum(1 for kid in _kids(element) if _is_elem(kid) and tree.role(kid) == "H") > 1:
            report.fail("14-006", "a node contains more than one H")
    if headings and plain_h:
        report.fail("14-007", "both H and H1...Hn are used")
    if headings and headings[0] != 1:
        report.fail("14-002", f"numbered headings are used but the first is H{headings[0]}")
    for before, after in zip(headings, headings[1:]):
        if after > before + 1:
            report.fail("14-003", f"H{after} follows H{before}")
    ids = Counter(str(e.ID) for e in tree.elements if tree.role(e) == "Note" and "/ID" in e)
    for value, count in ids.items():
        if count > 1:
            report.fail("19-004", f"Note ID {value!r} is not unique")
    _check_tables(tree, report)


def _check_tables(tree: _Tree, report: _Report) -> None:
    tables = [e for e in tree.elements if tree.role(e) == "Table"]
    for table in tables:
        cells = []
        stack = list(_kids(table))
        while stack:
            node = stack.pop()
            if _is_elem(node):
                if tree.role(node) in ("TH", "TD"):
                    cells.append(node)
                elif tree.role(node) != "Table":
                    stack.extend(_kids(node))
        with_headers = all(_attr(c, "/Headers") is not None for c in cells if tree.role(c) == "TD")
        ids = {str(c.ID) for c in cells if "/ID" in c}
        organised = with_headers and all(str(h) in ids for c in cells if tree.role(c) == "TD"
                                         for h in (_attr(c, "/Headers") or []))
        for cell in cells:
            if tree.role(cell) == "TH" and not organised and _attr(cell, "/Scope") is None:
                report.fail("15-003", "TH without Scope in a table not organised with Headers and IDs")


def _attr(element, key: str):
    attrs = element.get("/A")
    if attrs is None:
        return None
    for attr in (list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs]):
        if isinstance(attr, pikepdf.Dictionary) and key in attr:
            value = attr[key]
            return list(value) if isinstance(value, pikepdf.Array) else value
    return None


def _to_unicode_codes(font) -> set[int] | None:
    """The character codes a font's ToUnicode CMap maps (to something other than 0, FEFF, FFFE)."""
    cmap = font.get("/ToUnicode")
    if cmap is None:
        return None
    text = bytes(cmap.read_bytes()).decode("latin-1")
    codes: set[int] = set()
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            codes.add(int(src, 16))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(?:<[0-9A-Fa-f]*>|\[[^\]]*\])", block):
            codes.update(range(int(lo, 16), int(hi, 16) + 1))
    return codes


def _bad_unicode_values(font) -> bool:
    cmap = font.get("/ToUnicode")
    if cmap is None:
        return False
    text = bytes(cmap.read_bytes()).decode("latin-1")
    values = re.findall(r"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]*)>", text)
    return any(re.fullmatch(r"(0000)+|FEFF|FFFE", v.upper()) for v in values if v)


def _check_fonts(pdf: pikepdf.Pdf, report: _Report) -> dict:
    """Font dictionary checks (31-004/005/009/027/028/029); returns per font objgen its
    ToUnicode codes (None: no CMap), for 10-001 on the codes actually used."""
    maps: dict = {}
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/Font" or "/Subtype" not in obj:
            continue
        subtype = obj.Subtype
        if subtype in ("/CIDFontType0", "/CIDFontType2"):
            continue  # checked through their Type0 parent
        descendants = [obj.DescendantFonts[0]] if subtype == "/Type0" else [obj]
        for font in descendants:
            if font.get("/Subtype") == "/CIDFontType2" and "/CIDToGIDMap" not in font:
                report.fail("31-005", "CIDFontType2 without CIDToGIDMap")
            elif font.get("/Subtype") == "/CIDFontType2":
                value = font.CIDToGIDMap
                if not isinstance(value, pikepdf.Stream) and value != pikepdf.Name("/Identity"):
                    report.fail("31-004", "CIDToGIDMap neither a stream nor Identity")
            desc = font.get("/FontDescriptor")
            if subtype != "/Type3" and (desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))):
                report.fail("31-009", f"font {font.get('/BaseFont')} is not embedded")
        if subtype == "/Type0":
            ordering = str(obj.DescendantFonts[0].get("/CIDSystemInfo", {}).get("/Ordering", ""))
            if "/ToUnicode" not in obj and ordering not in ("GB1", "CNS1", "Japan1", "Korea1"):
                report.fail("31-027", f"Type0 font {obj.get('/BaseFont')} has no ToUnicode")
        elif "/ToUnicode" not in obj and str(obj.get("/Encoding", "")) not in (
                "/MacRomanEncoding", "/MacExpertEncoding", "/WinAnsiEncoding"):
            if subtype != "/TrueType":
                report.fail("31-027", f"font {obj.get('/BaseFont')} has no ToUnicode")
        if _bad_unicode_values(obj):
            report.fail("31-028", f"ToUnicode of {obj.get('/BaseFont')} maps to 0, U+FEFF or U+FFFE")
        maps[obj.objgen] = (_to_unicode_codes(obj), 2 if subtype == "/Type0" else 1)
    return maps


def _check_content(pdf: pikepdf.Pdf, tree: _Tree, report: _Report, font_maps: dict) -> None:
    """01-003/004/005, 10-001, 31-030 in every page's content; and that every MCID in the
    content is referenced from the tree exactly once (parent tree and structure agree)."""
    xobject_uses: Counter = Counter()
    for number, page in enumerate(pdf.pages, start=1):
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        fonts = resources.get("/Font", pikepdf.Dictionary())
        stack: list[str] = []          # "artifact", "mcid" or "other" per open sequence
        current_font = None
        actual_text = 0
        found_mcids = set()
        for operands, op in pikepdf.parse_content_stream(page):
            name = str(op)
            if name in ("BDC", "BMC"):
                tag = str(operands[0])
                props = operands[1] if name == "BDC" and len(operands) > 1 else None
                if isinstance(props, pikepdf.Name):
                    props = resources.get("/Properties", {}).get(props)
                has_mcid = isinstance(props, pikepdf.Dictionary) and "/MCID" in props
                if tag == "/Artifact":
                    if "mcid" in stack:
                        report.fail("01-003", "content marked as Artifact inside tagged content", number)
                    stack.append("artifact")
                elif has_mcid:
                    if "artifact" in stack:
                        report.fail("01-004", "tagged content inside an Artifact", number)
                    mcid = int(props.MCID)
                    if mcid in found_mcids:
                        report.fail("01-005", f"MCID {mcid} used twice on the page", number)
                    found_mcids.add(mcid)
                    count = tree.mcids.get((page.obj.objgen, mcid), 0)
                    if count == 0:
                        report.fail("01-005", f"MCID {mcid} is not referenced from the structure tree", number)
                    elif count > 1:
                        report.fail("01-005", f"MCID {mcid} is referenced {count} times from the structure tree", number)
                    stack.append("mcid")
                else:
                    stack.append("other")
                if isinstance(props, pikepdf.Dictionary) and "/ActualText" in props:
                    actual_text += 1
                    stack[-1] += "+actual"
            elif name == "EMC":
                if stack:
                    if stack.pop().endswith("+actual"):
                        actual_text -= 1
            elif name == "Tf":
                font = fonts.get(operands[0])
                current_font = font_maps.get(font.objgen) if font is not None else None
            elif name in PAINTING:
                if not any(s.startswith(("artifact", "mcid")) for s in stack):
                    report.fail("01-005", f"content ({name}) neither tagged nor an artifact", number)
                if name == "Do":
                    xobject_uses[str(operands[0])] += 1
                if name in ("Tj", "TJ", "'", '"') and current_font is not None:
                    codes, width = current_font
                    strings = [p for p in (operands[0] if name == "TJ" else operands[-1:])
                               if isinstance(p, pikepdf.String)]
                    for string in strings:
                        data = bytes(string)
                        for k in range(0, len(data) - width + 1, width):
                            code = int.from_bytes(data[k:k + width], "big")
                            if code == 0 and width == 2:
                                report.fail("31-030", "text references the .notdef glyph", number)
                            if codes is not None and code not in codes and not actual_text:
                                report.fail("10-001", f"character code {code:#x} cannot be mapped to Unicode", number)
        for (objgen, mcid), count in tree.mcids.items():
            if objgen == page.obj.objgen and mcid not in found_mcids:
                report.fail("01-005", f"the structure tree references MCID {mcid}, absent from the page", number)
        xobjects = resources.get("/XObject", pikepdf.Dictionary())
        for key, xobj in xobjects.items():
            if xobj.get("/Subtype") == "/Form" and "/Ref" in xobj:
                report.fail("30-001", "a reference XObject is present", number)
            if xobj.get("/Subtype") == "/Form" and b"/MCID" in bytes(xobj.read_bytes()) and xobject_uses[key] > 1:
                report.fail("30-002", "a form XObject with MCIDs is used more than once", number)


def _check_annotations(pdf: pikepdf.Pdf, tree: _Tree, report: _Report) -> None:
    for number, page in enumerate(pdf.pages, start=1):
        annots = list(page.obj.get("/Annots", []))
        if annots and "/Tabs" not in page.obj:
            report.fail("28-008", "a page with annotations has no Tabs entry", number)
        elif annots and page.obj.Tabs != pikepdf.Name("/S"):
            report.fail("28-009", f"Tabs is {page.obj.Tabs}, not /S", number)
        for annot in annots:
            subtype = str(annot.get("/Subtype", ""))
            enclosing = tree.objrs.get(annot.objgen)
            role = tree.role(enclosing) if enclosing is not None else None
            if subtype == "/TrapNet":
                report.fail("28-007", "TrapNet annotation", number)
            if subtype == "/PrinterMark":
                if enclosing is not None:
                    report.fail("28-017", "a PrinterMark annotation is in the structure", number)
                continue
            if subtype == "/Popup":
                continue   # part of its parent annotation (ISO 32000-1 12.5.6.14)
            if subtype == "/Link" and role != "Link":
                report.fail("28-011", f"link annotation not nested in a Link element ({role or 'not in the tree'})", number)
            elif subtype == "/Widget" and role != "Form":
                report.fail("28-010", "widget annotation not nested in a Form element", number)
            elif subtype not in ("/Link", "/Widget") and role != "Annot":
                report.fail("28-002", f"{subtype} annotation is not a child of an Annot element", number)
            contents = str(annot.get("/Contents", "")).strip()
            alt = str(enclosing.get("/Alt", "")).strip() if enclosing is not None else ""
            if subtype == "/Link" and not contents:
                report.fail("28-012", "link annotation without Contents", number)
            elif subtype != "/Widget" and not contents and not alt:
                report.fail("28-004", f"{subtype} annotation without Contents or Alt", number)


def check_pdf(data: bytes) -> list[Finding]:
    """Every machine-testable PDF/UA-1 failure found in the PDF ``data``."""
    report = _Report()
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        return [Finding("--", f"not a readable PDF: {exc}")]
    with pdf:
        _check_document(pdf, report)
        tree = _Tree(pdf, report)
        if tree.root is None:
            report.fail("01-005", "no structure tree (StructTreeRoot)")
        _check_rolemap(tree, report)
        _check_elements(tree, report)
        fonts = _check_fonts(pdf, report)
        _check_content(pdf, tree, report, fonts)
        _check_annotations(pdf, tree, report)
    extra = [Finding(c, f"... {n - 5} more of {c}") for c, n in sorted(report.seen.items()) if n > 5]
    return report.findings + extra
