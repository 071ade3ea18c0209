"""PDF/UA-1 structure and text layer: what WeasyPrint's tagging leaves undone, fixed on the way out.

``write_ua(document, lang)`` writes a rendered WeasyPrint Document as PDF/UA-1 and returns the
fixed bytes. It is the one hook of the PDF stage (the screen and bilingual editions, handouts, the
languages sheet); what it does is scoped to that one write, with no state left behind.

During the write (two wrappers, restored afterwards):

- WeasyPrint's tag builder (``_build_box_tree``) is wrapped: an element whose HTML has another
  ``lang`` gets ``/Lang``; ``data-pdf-tag`` in the HTML names the structure type (``TOC``,
  ``TOCI``); a ``th`` gets ``/Scope`` (Column in a header row, else Row, or its ``scope``); a link
  annotation gets ``/Contents`` from the link's ``title`` (``{page}`` replaced by the target's page
  number) or else its text. It also notes which marked-content items are page furniture: the text
  of margin boxes (running heads, page numbers) and leader dots.
- ``textlayer.recording`` notes the glyph runs of every text box.

After the write, with pikepdf:

- page furniture becomes ``/Artifact`` (Pagination, Header/Footer; leaders Layout) and leaves the
  parent tree; the structure elements WeasyPrint built for it but never linked are dropped;
- a link is one ``Link`` element with one annotation per line it covers: duplicate annotations of
  the same target that overlap (WeasyPrint writes one per box: the ``a``, its pseudo-elements and
  spans) are merged, nested ``Link`` elements flattened, every link annotation's OBJR sits in its
  ``Link`` element;
- ``TOCI`` items hold ``Reference`` (with the ``Link``) as ISO 32000-1 Table 333 allows;
- the text layer is rewritten (``textlayer``).

The checker in ``uacheck`` is written from ISO 14289-1 and the Matterhorn Protocol, not from this
module; the tests run it on every edition.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from dataclasses import dataclass, field

import pikepdf

from . import textlayer

LEADER_CHARS = set(". ·…\u00a0")


@dataclass
class Notes:
    """What one write noted, by page number."""

    tags_of_page: dict[int, int] = field(default_factory=dict)          # page -> id(tag dict)
    rtl_pages: set[int] = field(default_factory=set)                    # pages whose direction is rtl
    markers: dict[int, dict[int, int]] = field(default_factory=dict)     # page -> marker mcid -> its item's first mcid
    raised: dict[int, dict[int, tuple[float, float]]] = field(default_factory=dict)  # page -> mcid -> (dy, font size)
    artifacts: dict[int, dict[int, tuple[str, str]]] = field(default_factory=dict)  # page -> mcid -> (type, subtype)


def _descendants(box):
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _descendants(child)


def _anchor_pages(document) -> dict[str, int]:
    """Page number (1-based, as counter(page) counts) where each anchor first appears."""
    found: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for name in page.anchors:
            found.setdefault(name, number)
    return found


def _element_text(element) -> str:
    return " ".join("".join(element.itertext()).split())


@contextmanager
def _tag_hooks(document, doc_lang: str, notes: Notes):
    import pydyf
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import tags

    original = tags._build_box_tree
    pages = _anchor_pages(document)
    stack: list = []   # the HTML elements of the boxes being built, outermost first

    def note_furniture(page_box, page_number, tag_dict):
        found = notes.artifacts.setdefault(page_number, {})
        for child in page_box.children:
            if isinstance(child, boxes.MarginBox):
                subtype = "/Footer" if child.at_keyword.startswith("@bottom") else "/Header"
                for box in _descendants(child):
                    if box in tag_dict:
                        found[tag_dict[box]["mcid"]] = ("/Pagination", subtype)
        for box in _descendants(page_box):
            if (isinstance(box, boxes.TextBox) and box in tag_dict and (box.element_tag or "").endswith("::after")
                    and set(box.text) <= LEADER_CHARS):
                found[tag_dict[box]["mcid"]] = ("/Layout", "")

    def note_markers(page_box, page_number, tag_dict):
        """List markers (outside markers are positioned boxes, drawn after the page's text) and
        the first text of their item, to draw them in reading order."""
        found = notes.markers.setdefault(page_number, {})
        for box in _descendants(page_box):
            if (box.element_tag or "") != "li" or not getattr(box, "children", None):
                continue
            marker = [b for child in box.children if (child.element_tag or "").endswith("::marker")
                      for b in _descendants(child) if b in tag_dict]
            body = [tag_dict[b]["mcid"] for child in box.children if not (child.element_tag or "").endswith("::marker")
                    for b in _descendants(child) if isinstance(b, boxes.TextBox) and b in tag_dict]
            if marker and body:
                for b in marker:
                    found[tag_dict[b]["mcid"]] = min(body)

    def note_raised(page_box, page_number, tag_dict):
        """Text boxes off their line's baseline (superscripts such as the fact mark): how far,
        and the line's font size, for a text layer on the line's baseline."""
        found = notes.raised.setdefault(page_number, {})

        def walk(box, line):
            if isinstance(box, boxes.LineBox):
                line = box
            elif isinstance(box, boxes.TextBox) and line is not None and box in tag_dict:
                dy = (line.position_y + line.baseline) - (box.position_y + box.baseline)
                if abs(dy) > 0.5:
                    found[tag_dict[box]["mcid"]] = (dy, line.style["font_size"])
            for child in getattr(box, "children", ()) or ():
                walk(child, line)

        walk(page_box, None)

    def hooked(box, parent, pdf, page_number, nums, annotations, tag_dict, *rest):
        if isinstance(box, boxes.PageBox):
            notes.tags_of_page[page_number] = id(tag_dict)
            if box.style["direction"] == "rtl":
                notes.rtl_pages.add(page_number)
            note_furniture(box, page_number, tag_dict)
            note_markers(box, page_number, tag_dict)
            note_raised(box, page_number, tag_dict)
        html = getattr(box, "element", None)
        stack.append(html)
        try:
            for element in original(box, parent, pdf, page_number, nums, annotations, tag_dict, *rest):
                if html is not None and not isinstance(box, boxes.PageBox):
                    _annotate(element, box, html, [e for e in stack if e is not None], doc_lang, pages, pydyf)
                yield element
        finally:
            stack.pop()

    tags._build_box_tree = hooked
    try:
        yield
    finally:
        tags._build_box_tree = original


def _annotate(element, box, html, ancestors: list, doc_lang: str, pages: dict[str, int], pydyf) -> None:
    """Add what the HTML knows to an element WeasyPrint has just built."""
    lang = html.get("lang")
    if lang and lang != doc_lang and "Lang" not in element:
        element["Lang"] = pydyf.String(lang)
    role = html.get("data-pdf-tag")
    if role and element["S"] not in ("/LBody", "/Span") and (box.element_tag or "") == html.tag:
        element["S"] = f"/{role}"
    if element["S"] == "/TH" and "A" in element:
        in_head = any(e.tag == "thead" for e in ancestors)
        scope = html.get("scope") or ("col" if in_head else "row")
        element["A"]["Scope"] = "/Column" if scope.startswith("col") else "/Row"
    annotation = getattr(box, "link_annotation", None)
    if annotation is not None:
        anchor = next((e for e in reversed(ancestors) if e.tag == "a"), html)
        title = anchor.get("title")
        if title:
            target = str(anchor.get("href", "")).lstrip("#")
            page = pages.get(target)
            text = title.replace("{page}", str(page)) if page else title.replace("{page}", "").rstrip(", ")
        else:
            text = _element_text(anchor)
        if text:
            annotation["Contents"] = pydyf.String(text)


def write_ua(document, doc_lang: str, german=None) -> bytes:
    """Write ``document`` (a rendered WeasyPrint Document) as PDF/UA-1, structure and text fixed
    (``german``: a langparts.Parts, to give German runs in the text their own language)."""
    notes = Notes()
    with _tag_hooks(document, doc_lang, notes), textlayer.recording() as recording:
        data = document.write_pdf(pdf_variant="pdf/ua-1")
    return finish(data, notes, recording, german)


# ---------------------------------------------------------------- after the write

def _kids(node) -> list:
    k = node.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _set_kids(node, kids: list) -> None:
    node.K = pikepdf.Array(kids)


def _is_elem(node) -> bool:
    return isinstance(node, pikepdf.Dictionary) and "/S" in node and node.get("/Type") != "/OBJR" \
        and node.get("/Type") != "/MCR"


def _walk(node, found: list):
    for kid in _kids(node):
        if _is_elem(kid):
            found.append(kid)
            _walk(kid, found)
    return found


def _make(pdf: pikepdf.Pdf, s: str, parent, kids: list, page=None):
    element = pikepdf.Dictionary(Type=pikepdf.Name("/StructElem"), S=pikepdf.Name(s), P=parent,
                                 K=pikepdf.Array(kids))
    if page is not None:
        element.Pg = page
    element = pdf.make_indirect(element)
    for kid in kids:
        if _is_elem(kid):
            kid.P = element
    return element


def _prune(pdf: pikepdf.Pdf, node, furniture: dict[tuple, set[int]]) -> bool:
    """Drop references to artifacts from the tree, then elements left empty; True if ``node``
    still holds something. An element's kids are written back only where they changed."""
    kids = _kids(node)
    page = node.get("/Pg")
    gone = furniture.get(page.objgen, ()) if page is not None else ()
    new = []
    for kid in kids:
        if isinstance(kid, int):
            if int(kid) in gone:
                continue
        elif isinstance(kid, pikepdf.Dictionary):
            kind = kid.get("/Type")
            if kind == "/MCR":
                if int(kid.MCID) in furniture.get(kid.Pg.objgen, ()):
                    continue
            elif kind != "/OBJR" and "/S" in kid and not _prune(pdf, kid, furniture):
                continue
        new.append(kid)
    if len(new) != len(kids):
        _set_kids(node, new)
    return bool(new)


def _flatten(pdf: pikepdf.Pdf, root) -> None:
    """Nested Link elements into their outer Link; LBody inside TOCI into the TOCI; TOCI kids
    that Table 333 does not allow into a Reference."""
    for element in _walk(root, []):
        s = element.S
        if s not in ("/Link", "/TOCI"):
            continue
        changed = True
        while changed:
            changed = False
            new = []
            for kid in _kids(element):
                if s == "/Link" and _is_elem(kid) and kid.S == "/Span" and "/Lang" in kid:
                    # a span in another language stays (its /Lang), its annotations go to the link
                    objrs = [k for k in _kids(kid) if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]
                    if objrs:
                        _set_kids(kid, [k for k in _kids(kid) if not (isinstance(k, pikepdf.Dictionary)
                                                                      and k.get("/Type") == "/OBJR")])
                        new.extend(objrs)
                        changed = True
                    new.append(kid)
                elif _is_elem(kid) and ((s == "/Link" and kid.S in ("/Link", "/Span", "/NonStruct"))
                                        or (s == "/TOCI" and kid.S == "/LBody")):
                    for grandkid in _kids(kid):
                        if _is_elem(grandkid):
                            grandkid.P = element
                        elif isinstance(grandkid, pikepdf.Dictionary) or isinstance(grandkid, int):
                            pass
                        new.append(_with_page(grandkid, kid))
                    changed = True
                else:
                    new.append(kid)
            _set_kids(element, new)
        if s == "/TOCI":
            allowed = ("/Lbl", "/Reference", "/NonStruct", "/P", "/TOC")
            new, loose = [], []
            for kid in _kids(element):
                if _is_elem(kid) and kid.S in allowed:
                    new.append(kid)
                else:
                    loose.append(kid)
            if loose:
                new.append(_make(pdf, "/Reference", element, loose, element.get("/Pg")))
            _set_kids(element, new)


def _with_page(kid, holder):
    """An MCID moved to another element keeps its page: as an MCR where the pages differ."""
    if isinstance(kid, int) and "/Pg" in holder:
        return pikepdf.Dictionary(Type=pikepdf.Name("/MCR"), MCID=kid, Pg=holder.Pg)
    return kid


def _merge_link_annotations(pdf: pikepdf.Pdf, root, parent_tree: dict) -> None:
    """Per Link element: annotations of the same target that overlap become one."""
    removed = set()
    for element in _walk(root, []):
        if element.S != "/Link":
            continue
        kept, new = [], []
        for kid in _kids(element):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                annot = kid.Obj
                twin = next((k for k in kept if _same_target(k.Obj, annot) and k.Pg.objgen == kid.Pg.objgen
                             and _overlap(k.Obj.Rect, annot.Rect)), None)
                if twin is not None:
                    twin.Obj.Rect = _union(twin.Obj.Rect, annot.Rect)
                    removed.add(annot.objgen)
                    continue
                kept.append(kid)
            new.append(kid)
        _set_kids(element, new)
    if not removed:
        return
    for page in pdf.pages:
        if "/Annots" in page.obj:
            page.obj.Annots = pikepdf.Array([a for a in page.obj.Annots if a.objgen not in removed])
    for key, value in list(parent_tree.items()):
        if isinstance(value, pikepdf.Dictionary) and value.objgen in removed:
            del parent_tree[key]


def _same_target(a, b) -> bool:
    if "/Dest" in a or "/Dest" in b:
        return str(a.get("/Dest", "")) == str(b.get("/Dest", ""))
    return str(a.get("/A", {}).get("/URI", "")) == str(b.get("/A", {}).get("/URI", ""))


def _overlap(r1, r2) -> bool:
    a = sorted((float(r1[0]), float(r1[2]))), sorted((float(r1[1]), float(r1[3])))
    b = sorted((float(r2[0]), float(r2[2]))), sorted((float(r2[1]), float(r2[3])))
    return a[0][0] < b[0][1] and b[0][0] < a[0][1] and a[1][0] < b[1][1] and b[1][0] < a[1][1]


def _union(r1, r2):
    xs = [float(r1[0]), float(r1[2]), float(r2[0]), float(r2[2])]
    ys = [float(r1[1]), float(r1[3]), float(r2[1]), float(r2[3])]
    return pikepdf.Array([min(xs), min(ys), max(xs), max(ys)])


def _read_parent_tree(tree) -> dict:
    nums = list(tree.get("/Nums", []))
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def _write_parent_tree(pdf: pikepdf.Pdf, tree, entries: dict) -> None:
    nums = []
    for key in sorted(entries):
        nums.extend([key, entries[key]])
    tree.Nums = pikepdf.Array(nums)


def _artifacts(ops: list, furniture: dict[int, tuple[str, str]]) -> list:
    """Marked-content items of page furniture become artifacts."""
    out = []
    for operands, op in ops:
        if str(op) == "BDC" and len(operands) > 1 and isinstance(operands[1], pikepdf.Dictionary) \
                and "/MCID" in operands[1] and int(operands[1].MCID) in furniture:
            kind, subtype = furniture[int(operands[1].MCID)]
            props = pikepdf.Dictionary(Type=pikepdf.Name(kind))
            if subtype:
                props.Subtype = pikepdf.Name(subtype)
            operands = [pikepdf.Name("/Artifact"), props]
        out.append((operands, op))
    return out


def _rewrite_page(pdf: pikepdf.Pdf, page: pikepdf.Page, furniture: dict, records: dict, recording,
                  rtl: bool, markers: dict[int, int], raised: dict[int, tuple[float, float]],
                  parts, mcids: int, german_already: set[int]) -> dict[int, list[tuple[bool, int]]]:
    """The page's text layer rewritten (page furniture's too), list markers moved to their
    items, then the furniture made artifacts. German runs (``parts``) get marked-content
    sequences of their own, numbered from ``mcids`` on; returns them per text box MCID."""
    marks = textlayer.page_marks(records, set(furniture)) if rtl else (None, 0)
    german = {m: runs for m, runs in (_german_runs(records, set(furniture), parts) if parts is not None else {}).items()
              if m not in german_already}
    records = {m: r for m, r in records.items()
               if recording.needs_rewrite(r, rtl) or m == marks[0] or m in raised or m in german}
    if not furniture and not records and not markers:
        return {}
    ops = pikepdf.parse_content_stream(page)
    splits: dict = {}
    if records:
        counter = iter(range(mcids, mcids + 1_000_000))
        ops, _count, splits = textlayer.rewrite_ops(ops, records, recording.to_unicode,
                                                    textlayer.font_widths(page.Resources), rtl, marks, raised,
                                                    german, lambda: next(counter))
    if markers:
        ops = _markers_in_order(ops, markers)
    if furniture:
        ops = _artifacts(ops, furniture)
    page.Contents = pdf.make_stream(textlayer.unparse(ops))
    return splits


def _split_elements(pdf: pikepdf.Pdf, page, entries: list, splits: dict[int, list[tuple[bool, int]]]) -> list:
    """Each text box split by German runs: a ``Span`` element with ``/Lang de`` for each run,
    in its element's kids where the run stands, and the rest in the element again (the parent
    tree, one entry per MCID of the page, grows with them)."""
    entries = list(entries)
    null = pikepdf.Object.parse(b"null")
    for mcid, parts in splits.items():
        owner = entries[mcid] if mcid < len(entries) else None
        if not isinstance(owner, pikepdf.Dictionary):
            continue
        here = owner.get("/Pg") is not None and owner.Pg.objgen == page.objgen
        added = []
        for german, number in parts:
            ref = number if here else pikepdf.Dictionary(Type=pikepdf.Name("/MCR"), MCID=number, Pg=page)
            if german:
                span = _make(pdf, "/Span", owner, [number], page)
                span.Lang = pikepdf.String("de")
                added.append(span)
                target = span
            else:
                added.append(ref)
                target = owner
            entries.extend([null] * (number + 1 - len(entries)))
            entries[number] = target
        kids = _kids(owner)
        at = next((i for i, k in enumerate(kids) if (isinstance(k, int) and int(k) == mcid and here)
                   or (isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/MCR" and int(k.MCID) == mcid)), None)
        if at is not None:
            _set_kids(owner, kids[:at + 1] + added + kids[at + 1:])
    return entries


def _in_german(element, depth: int = 0, known: dict | None = None) -> bool:
    """Whether a structure element's language (its own /Lang or its nearest ancestor's) is German
    (``known``: answers so far, by object, shared by the calls of one document)."""
    seen = []
    answer = False
    while isinstance(element, pikepdf.Dictionary) and depth < 64:
        ident = element.objgen
        if known is not None and ident in known and ident != (0, 0):
            answer = known[ident]
            break
        seen.append(ident)
        if "/Lang" in element:
            answer = str(element.Lang).split("-")[0] == "de"
            break
        element, depth = element.get("/P"), depth + 1
    if known is not None:
        known.update((ident, answer) for ident in seen if ident != (0, 0))
    return answer


def _german_runs(records: dict, furniture: set[int], parts) -> dict[int, list[tuple[int, int]]]:
    """Per text box (MCID): its German runs, found with the text boxes before and after it
    (the line before and after, mostly), so that a term broken across two lines is found."""
    from .langparts import find_german

    order = [m for m in sorted(records) if m not in furniture]
    found = {}
    for index, mcid in enumerate(order):
        text = records[mcid].text
        before = records[order[index - 1]].text if index else ""
        after = records[order[index + 1]].text if index + 1 < len(order) else ""
        head = before if before.endswith("-") or not before else before + " "
        whole = head + text + ("" if text.endswith("-") or not after else " ") + after
        start, end = len(head), len(head) + len(text)
        runs = [(max(a, start) - start, min(b, end) - start) for a, b in find_german(whole, parts)
                if a < end and b > start]
        if runs:
            found[mcid] = runs
    return found


_FILL = {"cs": "set", "sc": "add", "scn": "add", "g": "set", "rg": "set", "k": "set"}
_STROKE = {"CS": "set", "SC": "add", "SCN": "add", "G": "set", "RG": "set", "K": "set"}


def _states(ops: list) -> list[tuple]:
    """Per operator: what places and clips it (the indices of the cm and clipping operators in
    force) and what paints it (the indices of the colour and gs operators in force, to replay)."""
    out, stack = [], []
    place: tuple = ()
    paint: dict[str, tuple] = {}
    pending_clip = False
    for index, (operands, op) in enumerate(ops):
        out.append((place, tuple(i for slot in sorted(paint) for i in paint[slot])))
        name = str(op)
        if name == "q":
            stack.append((place, dict(paint)))
        elif name == "Q" and stack:
            place, paint = stack.pop()
        elif name == "cm":
            place = place + (index,)
        elif name in ("W", "W*"):
            pending_clip = True
        elif pending_clip and name in ("n", "f", "f*", "F", "S", "s", "B", "B*", "b", "b*"):
            place, pending_clip = place + (index,), False
        elif name == "gs":
            paint["gs"] = paint.get("gs", ()) + (index,)
        for slot, table in (("fill", _FILL), ("stroke", _STROKE)):
            if name in table:
                paint[slot] = (index,) if table[name] == "set" else paint.get(slot, ()) + (index,)
    return out


def _markers_in_order(ops: list, moves: dict[int, int]) -> list:
    """Each list marker's marked-content sequence (``moves``: its MCID -> the MCID of its item's
    first text) drawn just before that text, with the colour it was drawn in, where both places
    share their transformation and clip (else it stays). Screen readers follow the structure
    tree; extractors that follow the content stream (MuPDF) then read the bullet with its item."""
    starts = {}
    for index, (operands, op) in enumerate(ops):
        if str(op) == "BDC" and len(operands) > 1 and isinstance(operands[1], pikepdf.Dictionary) \
                and "/MCID" in operands[1]:
            starts[int(operands[1].MCID)] = index
    states = _states(ops)
    moved: dict[int, list] = {}
    skip: set[int] = set()
    for marker, target in moves.items():
        if marker not in starts or target not in starts or starts[target] > starts[marker]:
            continue
        begin, end = starts[marker], _matching_emc(ops, starts[marker])
        if end is None or states[begin][0] != states[starts[target]][0]:
            continue
        replay = [ops[i] for i in states[begin][1]]
        moved.setdefault(starts[target], []).extend(
            [([], pikepdf.Operator("q")), *replay, *ops[begin:end + 1], ([], pikepdf.Operator("Q"))])
        skip.update(range(begin, end + 1))
    out = []
    for index, item in enumerate(ops):
        out.extend(moved.get(index, ()))
        if index not in skip:
            out.append(item)
    return out


def _matching_emc(ops: list, begin: int) -> int | None:
    depth = 0
    for index in range(begin, len(ops)):
        name = str(ops[index][1])
        if name in ("BDC", "BMC"):
            depth += 1
        elif name == "EMC":
            depth -= 1
            if depth == 0:
                return index
        elif name in ("q", "Q") and depth == 1:
            return None   # not self-contained
    return None


def finish(data: bytes, notes: Notes, recording: textlayer.Recording, german=None) -> bytes:
    """The PDF WeasyPrint wrote, with artifacts, links, TOC and text layer fixed."""
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root.StructTreeRoot
    tree = root.ParentTree
    entries = _read_parent_tree(tree)
    document = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
    languages: dict = {}
    for number, page in enumerate(pdf.pages):
        furniture = notes.artifacts.get(number, {})
        key = int(page.obj.get("/StructParents", number))
        owners = list(entries.get(key, ()))
        already = {m for m, owner in enumerate(owners) if _in_german(owner, known=languages)}   # German fallback text
        splits = _rewrite_page(pdf, page, furniture, recording.by_tags.get(notes.tags_of_page.get(number), {}),
                               recording, number in notes.rtl_pages, notes.markers.get(number, {}),
                               notes.raised.get(number, {}), german, len(owners), already)
        if splits and key in entries:
            entries[key] = pikepdf.Array(_split_elements(pdf, page.obj, list(entries[key]), splits))
        if key in entries and furniture:
            arr = entries[key]
            entries[key] = pikepdf.Array([pikepdf.Object.parse(b"null") if i in furniture else v
                                          for i, v in enumerate(arr)])
    _prune(pdf, document, {pdf.pages[n].obj.objgen: set(m) for n, m in notes.artifacts.items() if m})
    _flatten(pdf, document)
    _merge_link_annotations(pdf, document, entries)
    _repoint_parent_tree(pdf, document, entries)
    _write_parent_tree(pdf, tree, entries)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def _repoint_parent_tree(pdf: pikepdf.Pdf, document, entries: dict) -> None:
    """After flattening, each MCID and annotation maps to the element that now holds it."""
    keys = {page.obj.objgen: int(page.obj.StructParents) for page in pdf.pages if "/StructParents" in page.obj}
    for element in _walk(document, []):
        page = element.get("/Pg")
        for kid in _kids(element):
            if isinstance(kid, int) and page is not None:
                where, mcid = page.objgen, int(kid)
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                where, mcid = kid.Pg.objgen, int(kid.MCID)
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                if "/StructParent" in kid.Obj:
                    entries[int(kid.Obj.StructParent)] = element
                continue
            else:
                continue
            key = keys.get(where)
            if key is not None and key in entries and mcid < len(entries[key]):
                entries[key][mcid] = element
