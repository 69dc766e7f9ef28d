"""What the 档案打印 page prints: a request (document and options) turned into a PDF — a small sample for
the preview, the whole document for saving and printing, or one file per member.

No widgets here: these functions take a session (or the database, for work in a worker thread, which
opens its own session) and the plain ``Request``, and call the renderers of ``app.reports`` as
``python -m app print`` does. The renderers are imported where they are used (ReportLab costs start-up
time).

The sample collects only what it shows — the first certificates and lines (``limit=``), one annual file
(two when the first is shorter than the preview) — and counts the rest with a query, so it takes the
same time for any size of community. The whole document (``render_document``, ``render_per_member``,
run in a worker) freezes the garbage collector's view of what was alive before it and again of what it
collected (``ui.worker.frozen_gc``): the collections its rendering sets off then skip the collected
data, instead of walking it, GIL held, time and again.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy import func, or_, select

from app import evaluation_year as ey
from app import settings
from app.errors import AppError
from ui.worker import frozen_gc

ANNUAL, CERTIFICATES, PUBLICITY, ROSTER = "annual", "certificates", "publicity", "roster"
TITLES = {ANNUAL: "党员年度档案", CERTIFICATES: "星级党员证书", PUBLICITY: "评定结果公示", ROSTER: "党员花名册"}
UNITS = {ANNUAL: "人", CERTIFICATES: "张", PUBLICITY: "人", ROSTER: "人"}
PLAIN, PREPRINTED = "plain", "preprinted"
# how much of each document the preview renders at most: members, certificates, lines of the table
# (annual files: one member, a second only when the first has fewer pages than the preview shows)
SAMPLE_SIZES = {ANNUAL: 2, CERTIFICATES: 3, PUBLICITY: 60, ROSTER: 40}
PREVIEW_PAGES = 3
PROCESSES_FROM = 20  # one file a member: from this many members up, render in worker processes

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


@dataclass(frozen=True)
class Request:
    document: str = ANNUAL
    year: int = 0  # not used by the roster
    org_id: int | None = None  # None: the whole community
    scope_name: str = ""  # the organisation's name, for file names
    member_ids: tuple[int, ...] = ()  # annual files only; empty: everyone in the scope
    per_member: bool = False  # annual files: one PDF a member, to a folder
    toc: bool = False  # annual files in one PDF: a table of contents in front
    paper: str = PLAIN  # certificates: plain paper (the whole design) or pre-printed certificate paper
    min_stars: int | None = None  # certificates: only this many stars or more
    mask: bool = False  # roster: ID numbers and phones partly hidden

    @property
    def title(self) -> str:
        return TITLES[self.document]

    @property
    def unit(self) -> str:
        return UNITS[self.document]


@dataclass(frozen=True)
class Sample:
    """The preview's PDF: how many pages it has and what part of the document it shows."""

    pages: int  # the sample's pages
    note: str  # e.g. 预览为前 2 名党员（共 292 人）
    warning: str = ""  # something the user should know before printing (certificates withheld)
    total_pages: int | None = None  # the whole document's, when known without rendering it all


@dataclass(frozen=True)
class Outcome:
    """A finished (or cancelled) batch: the files written and how many there should have been."""

    files: tuple[Path, ...]
    pages: int  # the one PDF's pages; 0 for one file a member
    total: int  # members (or certificates, lines) in the document
    cancelled: bool = False
    warning: str = ""


def safe_name(text: str) -> str:
    """A file name without the characters Windows refuses."""
    return _ILLEGAL.sub("_", text).strip(" .") or "文档"


def default_file_name(community: str, request: Request, today: date | None = None) -> str:
    """幸福里社区_2025年度党员年度档案.pdf; with a scope 幸福里社区_第一网格党支部_2025年度…; the roster is dated."""
    parts = [community.strip() or "社区"]
    if request.scope_name:
        parts.append(request.scope_name)
    if request.document == ROSTER:
        parts.append(f"{request.title}_{today or date.today():%Y%m%d}")
    else:
        parts.append(f"{request.year}年度{request.title}")
    return safe_name("_".join(parts)) + ".pdf"


def default_folder_name(community: str, request: Request) -> str:
    """The folder suggested for one file a member: 幸福里社区_2025年度党员年度档案."""
    return default_file_name(community, request).removesuffix(".pdf")


# ---------------------------------------------------------------- annual files


def _annual_people(session, request: Request) -> list[int]:
    """The ids of the members whose annual file the request prints, in print order."""
    from app.members import subtree_ids

    people = ey.participants(session, request.year, list(request.member_ids) or None)
    if request.org_id is not None:
        subtree = set(subtree_ids(session, request.org_id))
        people = [p for p in people if p.org_id in subtree]
    return [p.member_id for p in people]


def _no_annual_files(request: Request) -> AppError:
    if request.member_ids:
        return AppError(f"所选党员在 {request.year} 年度都不在册，没有可打印的年度档案。")
    where = f"“{request.scope_name}”" if request.scope_name else "本社区"
    return AppError(f"{where}在 {request.year} 年度没有在册党员，没有可打印的年度档案。")


def collect_annual_files(session, request: Request, *, limit: int | None = None):
    """The annual files of the request (the first ``limit`` of them) and how many there are in all."""
    from app.reports import annual_data

    if request.year > date.today().year:
        raise AppError(f"{request.year} 年尚未开始，没有年度档案。")
    ids = _annual_people(session, request)
    if not ids:
        raise _no_annual_files(request)
    wanted = ids[:limit] if limit is not None else ids
    return annual_data.collect_annual(session, request.year, member_ids=wanted), len(ids)


# ---------------------------------------------------------------- certificates, publicity, roster


def collect_certificates(session, request: Request, *, limit: int | None = None):
    """The certificates of the request (the first ``limit`` of them) and the layout for pre-printed paper."""
    from app.reports import certificate
    from app.reports.certificate_layout import load_layout

    batch = certificate.collect_certificates(session, request.year, org_id=request.org_id,
                                             min_stars=request.min_stars, limit=limit)
    if not batch.items:
        where = f"“{request.scope_name}”" if request.scope_name else "本社区"
        raise AppError(f"{where} {request.year} 年度没有符合条件的证书。")
    return batch, load_layout(session)


def withheld_text(batch) -> str:
    if not batch.withheld:
        return ""
    return f"注意：{'、'.join(batch.withheld)} 持有证书编号，但星级已低于颁证标准，不打印。"


def _sample_note(shown: int, total: int, what: str) -> str:
    """预览为前 2 名党员（共 292 人）…, or 预览为全部 5 名党员."""
    if shown >= total:
        return f"预览为全部 {total} {what}。"
    count = {"名党员": "人", "张证书": "张"}.get(what, "")
    return f"预览为前 {shown} {what}（共 {total} {count}），保存或打印时生成全部。"


def _whole(pages: int, shown: int, total: int) -> int | None:
    return pages if shown >= total else None


def _subtree(session, org_id: int):
    from app.members import subtree_ids

    return subtree_ids(session, org_id)


def certificate_count(session, request: Request) -> int:
    """How many certificates the request prints, by a count of the numbers held (in the scope, with at
    least ``min_stars`` when given, the stars recorded when each number was given). It equals
    ``collect_certificates``' count unless the year was unlocked and stars changed before it was approved
    again: a holder now below the threshold (``withheld``) is counted here."""
    from db.models import Member, StarCertificate

    query = select(func.count()).select_from(StarCertificate).where(StarCertificate.year == request.year)
    if request.org_id is not None:
        query = query.join(Member, Member.id == StarCertificate.member_id).where(
            Member.org_id.in_(_subtree(session, request.org_id)))
    if request.min_stars is not None:
        query = query.where(StarCertificate.stars >= request.min_stars)
    return session.scalar(query) or 0


def publicity_count(session, request: Request) -> int:
    """How many lines the 公示 has: the year's participants still there at year end, in the scope
    (``collect_publicity``'s rule: joined by 31 December and not left by then), by a count."""
    from db.models import Member

    end = date(request.year, 12, 31)
    query = select(func.count()).select_from(Member).where(
        Member.joined_on <= end, or_(Member.left_on.is_(None), Member.left_on > end))
    if request.org_id is not None:
        query = query.where(Member.org_id.in_(_subtree(session, request.org_id)))
    return session.scalar(query) or 0


def roster_count(session, request: Request) -> int:
    """How many lines the 花名册 has: the members 在册 in the scope (``collect_roster``'s rule), by a count."""
    from db.models import Member

    query = select(func.count()).select_from(Member).where(Member.status == "在册")
    if request.org_id is not None:
        query = query.where(Member.org_id.in_(_subtree(session, request.org_id)))
    return session.scalar(query) or 0


def render_sample(session, request: Request, out: Path) -> Sample:
    """The first part of the document — enough for the first pages — rendered to ``out``. Only that part
    is collected; the whole document's size comes from a count."""
    size = SAMPLE_SIZES[request.document]
    if request.document == ANNUAL:
        from app.reports import annual_file

        toc = request.toc and not request.per_member
        community = settings.load(session)
        files, total = collect_annual_files(session, request, limit=1)
        pages = annual_file.render_annual_file(files, out, settings=community, toc=toc)
        if pages < PREVIEW_PAGES and total > 1:  # a short file: the next member's pages too
            files, total = collect_annual_files(session, request, limit=size)
            pages = annual_file.render_annual_file(files, out, settings=community, toc=toc)
        return Sample(pages, _sample_note(len(files), total, "名党员"), total_pages=_whole(pages, len(files), total))
    if request.document == CERTIFICATES:
        from app.reports import certificate

        sample, layout = collect_certificates(session, request, limit=size)
        shown = len(sample.items)
        total = max(certificate_count(session, request), shown) if shown >= size else shown
        pages = certificate.render_certificates(sample, out, paper=request.paper, layout=layout)
        return Sample(pages, _sample_note(shown, total, "张证书"), withheld_text(sample), total)
    if request.document == PUBLICITY:
        from app.reports import publicity

        shown = publicity.collect_publicity(session, request.year, request.org_id, limit=size)
        lines = len(shown.lines)
        total = publicity_count(session, request) if lines >= size else lines
        pages = publicity.render_publicity(shown, out)
        return Sample(pages, _sample_note(lines, total, "名党员"), total_pages=_whole(pages, lines, total))
    from app.reports import member_roster

    shown = member_roster.collect_roster(session, request.org_id, mask=request.mask, limit=size)
    lines = len(shown.lines)
    total = roster_count(session, request) if lines >= size else lines
    pages = member_roster.render_roster(shown, out)
    return Sample(pages, _sample_note(lines, total, "名党员"), total_pages=_whole(pages, lines, total))


# ---------------------------------------------------------------- the whole document (in a worker)


def render_document(database, request: Request, out: Path, progress: Progress, cancelled: Cancelled) -> Outcome:
    """The whole document in one PDF ``out`` (written under a temporary name and moved into place by the
    renderer). Cancelling raises the renderer's PrintCancelled: no file is written.

    The garbage collector is frozen (``frozen_gc``) for the whole job and frozen again right after the
    collect, so the rendering's collections skip the collected data (for 1,000 annual files, walking it
    took 100–300 ms each time, GIL held, the window frozen). The second freeze nests inside the first:
    its objects go back to the collector with the rest when the outermost ``frozen_gc()`` ends."""
    with frozen_gc():
        return _render_document(database, request, out, progress, cancelled)


def _render_document(database, request: Request, out: Path, progress: Progress,
                     cancelled: Cancelled) -> Outcome:
    with database.read() as session:
        if request.document == ANNUAL:
            files, total = collect_annual_files(session, request)
            community = settings.load(session)
        elif request.document == CERTIFICATES:
            batch, layout = collect_certificates(session, request)
        elif request.document == PUBLICITY:
            from app.reports import publicity

            data = publicity.collect_publicity(session, request.year, request.org_id)
        else:
            from app.reports import member_roster

            data = member_roster.collect_roster(session, request.org_id, mask=request.mask)
    gc.freeze()  # what was collected too, until frozen_gc() ends (render_document's docstring)

    if request.document == ANNUAL:
        from app.reports import annual_file

        def step(done: int, count: int) -> bool:
            progress(done, count)
            return not cancelled()

        pages = annual_file.render_annual_file(files, out, settings=community, toc=request.toc, progress=step)
        return Outcome((out,), pages, total)
    if request.document == CERTIFICATES:
        from app.reports import certificate

        pages = certificate.render_certificates(batch, out, paper=request.paper, layout=layout,
                                                progress=progress, cancelled=cancelled)
        return Outcome((out,), pages, len(batch.items), warning=withheld_text(batch))
    if request.document == PUBLICITY:
        pages = publicity.render_publicity(data, out)
        return Outcome((out,), pages, len(data.lines))
    pages = member_roster.render_roster(data, out)
    return Outcome((out,), pages, len(data.lines))


def render_per_member(database, request: Request, folder: Path, progress: Progress, cancelled: Cancelled,
                      *, workers: int = 1) -> Outcome:
    """One annual file a member in ``folder`` (never overwriting: " (2)" is added). Cancelling keeps the
    files finished (each written under a temporary name first, so no half file stays)."""
    with frozen_gc():
        return _render_per_member(database, request, folder, progress, cancelled, workers)


def _render_per_member(database, request: Request, folder: Path, progress: Progress, cancelled: Cancelled,
                       workers: int) -> Outcome:
    from app.reports import annual_file

    with database.read() as session:
        files, total = collect_annual_files(session, replace(request, per_member=True))
        community = settings.load(session)
    gc.freeze()  # the collected files too, until frozen_gc() ends

    def step(done: int, count: int) -> bool:
        progress(done, count)
        return not cancelled()

    written = annual_file.render_per_member(files, folder, settings=community, progress=step,
                                            workers=workers if total >= PROCESSES_FROM else 1)
    return Outcome(tuple(written), 0, total, cancelled=len(written) < total)
