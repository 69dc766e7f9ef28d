"""党员台账: members — validation, create/edit with history, leaving the ledger, search and sort."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date

from sqlalchemy import Integer, Select, and_, column, delete, func, or_, select
from sqlalchemy import text as text_clause
from sqlalchemy.orm import Session

from app import audit, orgs
from app.changes import MEMBERS, Changes
from app.dates import add_years, age_on
from app.errors import AppError, NotFoundError, ValidationError
from app.idcard import IdNumberError, parse_id
from db.models import Member, MemberPhoto, MemberSearchKey, Organization

CATEGORIES = ("正式党员", "预备党员")
STATUSES = ("在册", "转出", "出党", "死亡")
LEAVE_KINDS = ("转出", "出党", "死亡")
EXPULSION_KINDS = ("除名", "开除党籍", "退党")
STANDINGS = ("正常", "停止党籍")
SEXES = ("男", "女")
EDUCATION = (
    "博士研究生", "硕士研究生", "大学本科", "大学专科", "中等专科", "职业高中", "技工学校", "普通高中", "初中", "小学及以下",
)
EDUCATION_GROUPS = {
    "博士研究生": "研究生", "硕士研究生": "研究生", "大学本科": "大学本科", "大学专科": "大学专科",
    "中等专科": "中专", "职业高中": "高中中技", "技工学校": "高中中技", "普通高中": "高中中技",
    "初中": "初中及以下", "小学及以下": "初中及以下",
}
DEGREES = ("", "博士", "硕士", "学士")
OCCUPATIONS = (
    "公有经济管理人员", "公有经济专业技术人员", "公有经济工勤技能人员",
    "非公有经济管理人员", "非公有经济专业技术人员", "非公有经济工勤技能人员",
    "党政机关工作人员", "农牧渔民", "外出务工经商人员", "军人武警", "学生", "离退休人员",
    "社区工作人员", "个体工商户", "自由职业人员", "无固定职业人员", "其他",
)
OCCUPATION_GROUPS = {
    **dict.fromkeys(OCCUPATIONS[:7], "在岗职工"), "农牧渔民": "农牧渔民", "外出务工经商人员": "农牧渔民",
    "军人武警": "军人武警", "学生": "学生", "离退休人员": "离退休",
}
PARTY_POSTS = ("", "书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员", "党小组组长")
ETHNICITIES = tuple(
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
    "傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 "
    "毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 "
    "塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族".split()
)
IDENTITIES = {  # filter name → what it selects
    "流动党员": Member.floating.is_(True),
    "失联党员": Member.lost_contact.is_(True),
    "困难党员": Member.in_hardship.is_(True),
    "在职党员（双报到）": Member.report_unit != "",
    "停止党籍": Member.standing == "停止党籍",
}
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^(0\d{2,3}-?)?[2-9]\d{6,7}(-\d{1,6})?$")
ADULT_AGE = 18
CONFIRM_WARNING_DAYS = 60

# Changes to these are kept in the member's history (the change log), old → new.
KEY_FIELDS = {
    "name": "姓名", "id_number": "身份证号", "sex": "性别", "birth_date": "出生日期", "org_id": "所在党组织",
    "category": "人员类别", "joined_on": "入党日期", "confirmed_on": "转正日期", "standing": "党籍状态",
    "mobile": "手机", "address": "家庭住址", "lost_contact": "失联", "floating": "流动",
    "party_post": "党内职务", "education": "学历", "occupation": "工作岗位",
}


@dataclass(frozen=True)
class MemberInput:
    """What the member form (and an imported row) edits; every field of the record but the status."""

    name: str
    id_number: str
    org_id: int | None
    joined_on: date | None
    category: str = "正式党员"
    confirmed_on: date | None = None
    probation_extended: bool = False
    sex: str = ""  # empty: taken from the ID number
    birth_date: date | None = None  # None: taken from the ID number
    ethnicity: str = "汉族"
    native_place: str = ""
    education: str = ""
    degree: str = ""
    occupation: str = ""
    employer: str = ""
    work_started_on: date | None = None
    report_unit: str = ""
    party_post: str = ""
    mobile: str = ""
    landline: str = ""
    address: str = ""
    standing: str = "正常"
    lost_contact: bool = False
    lost_contact_on: date | None = None
    floating: bool = False
    floating_destination: str = ""
    in_hardship: bool = False
    introducers: str = ""
    note: str = ""


INPUT_FIELDS = tuple(f.name for f in fields(MemberInput))
# 是否流动党员 / 外出流向 / 是否失联党员 / 失去联系日期 are derived from the 流动党员之家's records
# (app.floating keeps them): create starts them empty, update never writes them, the form shows them.
DERIVED_DEFAULTS = {"lost_contact": False, "lost_contact_on": None, "floating": False, "floating_destination": ""}


@dataclass(frozen=True)
class MemberRecord:
    """A stored member as the form and the reports read it."""

    id: int
    data: MemberInput
    org_path: str
    status: str
    left_on: date | None
    left_reason: str
    transferred_to: str
    has_photo: bool

    @property
    def name(self) -> str:
        return self.data.name


# ---------------------------------------------------------------- validation


def confirmation_due(joined_on: date, extended: bool = False) -> date:
    """转正 is due on the anniversary of 入党 (two years after when the probation was extended)."""
    return add_years(joined_on, 2 if extended else 1)


def _text_limits(data: MemberInput) -> dict[str, str]:
    errors = {}
    for name, label, limit in (("name", "姓名", 50), ("native_place", "籍贯", 50), ("employer", "工作单位及职务", 100),
                               ("report_unit", "报到单位", 100), ("address", "家庭住址", 200),
                               ("floating_destination", "外出流向", 100), ("introducers", "入党介绍人", 50)):
        if len(getattr(data, name)) > limit:
            errors[name] = f"{label}不能超过 {limit} 个字。"
    return errors


def validate(
    session: Session, data: MemberInput, *, member_id: int | None = None, today: date | None = None
) -> tuple[dict[str, str], MemberInput]:
    """Every problem of ``data`` by field (Chinese), and the normalised input (18-digit ID,
    sex and birth date from the ID when left empty, trimmed text)."""
    today = today or date.today()
    data = replace(data, **{n: getattr(data, n).strip() for n in INPUT_FIELDS if isinstance(getattr(data, n), str)})
    data = replace(data, mobile=re.sub(r"[\s-]", "", data.mobile), landline=re.sub(r"\s", "", data.landline))
    errors = _text_limits(data)
    if not data.name:
        errors["name"] = "请填写姓名。"
    elif re.search(r"[\d\s]", data.name):
        errors["name"] = "姓名中不能有数字或空格。"

    info = None
    try:
        info = parse_id(data.id_number, today=today)
    except IdNumberError as exc:
        errors["id_number"] = exc.errors.get("id_number", str(exc))
    if info is not None:
        data = replace(data, id_number=info.number, sex=data.sex or info.sex,
                       birth_date=data.birth_date or info.birth_date)
        if data.sex != info.sex:
            errors["sex"] = f"性别与身份证号不符（身份证号显示为{info.sex}）。"
        if data.birth_date != info.birth_date:
            errors["birth_date"] = f"出生日期与身份证号不符（身份证号显示为 {info.birth_date:%Y-%m-%d}）。"
        elif "id_number" not in errors:
            owner = session.execute(
                select(Member.id, Member.name).where(Member.id_number == info.number)
            ).first()
            if owner is not None and owner.id != member_id:
                errors["id_number"] = f"身份证号 {info.number} 已登记在党员“{owner.name}”名下，不能重复登记。"
    if data.sex and data.sex not in SEXES:
        errors["sex"] = "性别应为“男”或“女”。"
    if data.birth_date and data.birth_date > today:
        errors["birth_date"] = "出生日期不能晚于今天。"

    errors.update(_org_errors(session, data.org_id))
    errors.update(_membership_errors(data, today))
    errors.update(_contact_errors(data))
    for name, label in (("work_started_on", "参加工作时间"),):
        value = getattr(data, name)
        if value and value > today:
            errors[name] = f"{label}不能晚于今天。"
    if data.work_started_on and data.birth_date and age_on(data.birth_date, data.work_started_on) < 14:
        errors["work_started_on"] = "参加工作时间与出生日期不符（不满 14 周岁）。"
    for name, allowed, label in (("ethnicity", ETHNICITIES, "民族"), ("education", EDUCATION, "学历"),
                                 ("degree", DEGREES, "学位"), ("occupation", OCCUPATIONS, "工作岗位"),
                                 ("party_post", PARTY_POSTS, "党内职务"), ("standing", STANDINGS, "党籍状态")):
        value = getattr(data, name)
        if value and value not in allowed:
            errors[name] = f"“{value}”不是可选的{label}。"
    return errors, data


def _org_errors(session: Session, org_id: int | None) -> dict[str, str]:
    if org_id is None:
        return {"org_id": "请选择所在党组织。"}
    org = session.get(Organization, org_id)
    if org is None:
        return {"org_id": "所选党组织不存在。"}
    if org.dissolved_on is not None:
        return {"org_id": f"“{org.name}”已撤销，请选择其他党组织。"}
    return {}


def _membership_errors(data: MemberInput, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.category not in CATEGORIES:
        errors["category"] = "人员类别应为正式党员或预备党员。"
    joined = data.joined_on
    if joined is None:
        errors["joined_on"] = "请填写入党日期。"
        return errors
    if joined > today:
        errors["joined_on"] = "入党日期不能晚于今天。"
    elif data.birth_date and age_on(data.birth_date, joined) < ADULT_AGE:
        errors["joined_on"] = f"入党时不满 {ADULT_AGE} 周岁（出生于 {data.birth_date:%Y-%m-%d}），请核对入党日期。"
    confirmed = data.confirmed_on
    if data.category == "预备党员":
        if confirmed is not None:
            errors["confirmed_on"] = "预备党员尚未转正，转正日期应为空；转正后请把人员类别改为正式党员。"
    elif data.category == "正式党员":
        earliest, latest = add_years(joined, 1), add_years(joined, 2)
        if confirmed is None:
            errors["confirmed_on"] = "正式党员请填写转正日期。"
        elif confirmed > today:
            errors["confirmed_on"] = "转正日期不能晚于今天。"
        elif confirmed < earliest:
            errors["confirmed_on"] = f"转正日期应在入党满一年之后（不早于 {earliest:%Y-%m-%d}）。"
        elif confirmed > latest:
            errors["confirmed_on"] = f"预备期最多延长一年，转正日期不能晚于 {latest:%Y-%m-%d}。"
    return errors


def _contact_errors(data: MemberInput) -> dict[str, str]:
    errors = {}
    if data.mobile and not MOBILE.match(data.mobile):
        errors["mobile"] = "手机号应为 11 位数字，以 1 开头（例如 13812345678）。"
    if data.landline and not LANDLINE.match(data.landline):
        errors["landline"] = "固定电话格式不正确（例如 010-62345678）。"
    return errors


# ---------------------------------------------------------------- writing


def _search_keys(name: str) -> set[str]:
    from app import pinyin

    keys = set(pinyin.initials_variants(name)) | set(pinyin.full_pinyin_variants(name)) | set(pinyin.name_bigrams(name))
    return {k[:64] for k in keys if k}


def derived_columns(name: str, id_number: str) -> dict[str, str]:
    from app import pinyin

    return {"name_sort": pinyin.sort_key(name)[:200], "id_reversed": id_number[::-1]}


def _store_keys(session: Session, member_id: int, name: str) -> None:
    session.execute(delete(MemberSearchKey).where(MemberSearchKey.member_id == member_id))
    session.add_all(MemberSearchKey(member_id=member_id, key=k) for k in _search_keys(name))


def _checked(session: Session, data: MemberInput, member_id: int | None, today: date | None) -> MemberInput:
    errors, clean = validate(session, data, member_id=member_id, today=today)
    if errors:
        raise ValidationError(errors)
    return clean


def create(session: Session, data: MemberInput, *, today: date | None = None) -> tuple[int, Changes]:
    """A new 在册 member. The derived fields start empty: a new member has no floating records yet."""
    clean = replace(_checked(session, data, None, today), **DERIVED_DEFAULTS)
    member = Member(**asdict(clean), **derived_columns(clean.name, clean.id_number), status="在册",
                    left_reason="", transferred_to="")
    session.add(member)
    session.flush()
    _store_keys(session, member.id, clean.name)
    audit.log(session, "members", member.id, "新增", f"{clean.name}，{clean.id_number[-4:]}")
    return member.id, MEMBERS


def update(session: Session, member_id: int, data: MemberInput, *, today: date | None = None) -> Changes:
    member = load_member(session, member_id)
    clean = _checked(session, data, member_id, today)
    changed = []
    for name in INPUT_FIELDS:
        if name in DERIVED_DEFAULTS:
            continue  # kept by app.floating from the records
        old, new = getattr(member, name), getattr(clean, name)
        if old != new:
            if name in KEY_FIELDS:
                changed.append(f"{KEY_FIELDS[name]}：{_shown(session, name, old)} → {_shown(session, name, new)}")
            setattr(member, name, new)
    for derived, value in derived_columns(clean.name, clean.id_number).items():
        setattr(member, derived, value)
    _store_keys(session, member_id, clean.name)
    if changed:
        audit.log(session, "members", member_id, "修改", "；".join(changed))
    return MEMBERS


def _shown(session: Session, name: str, value) -> str:
    if value is None or value == "":
        return "无"
    if name == "org_id":
        org = session.get(Organization, value)
        return org.name if org else str(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def leave(
    session: Session, member_id: int, kind: str, on: date, reason: str, *, transferred_to: str = "",
    today: date | None = None,
) -> Changes:
    """转出 (to which organisation), 出党 (除名/开除党籍/退党 in ``reason``) or 死亡: the record stays."""
    today = today or date.today()
    member = load_member(session, member_id)
    if member.status != "在册":
        raise AppError(f"“{member.name}”已于 {member.left_on:%Y-%m-%d} {member.status}，不在册。")
    errors = {}
    if kind not in LEAVE_KINDS:
        errors["kind"] = "请选择转出、出党或死亡。"
    if on > today:
        errors["left_on"] = "日期不能晚于今天。"
    elif on < member.joined_on:
        errors["left_on"] = "日期不能早于入党日期。"
    if kind == "转出" and not transferred_to.strip():
        errors["transferred_to"] = "请填写转往的党组织。"
    if kind != "死亡" and not reason.strip():
        errors["left_reason"] = "请填写原因。"
    if errors:
        raise ValidationError(errors)
    member.status, member.left_on, member.left_reason = kind, on, reason.strip()
    member.transferred_to = transferred_to.strip() if kind == "转出" else ""
    detail = f"{on:%Y-%m-%d}" + (f"，转往{member.transferred_to}" if member.transferred_to else "")
    audit.log(session, "members", member_id, kind, detail + (f"，{reason.strip()}" if reason.strip() else ""))
    return MEMBERS


def return_to_ledger(session: Session, member_id: int) -> Changes:
    """Undo a leave entered by mistake: the member is 在册 again (the log keeps both steps)."""
    member = load_member(session, member_id)
    if member.status == "在册":
        return Changes()
    org = session.get(Organization, member.org_id)
    if org is None or org.dissolved_on is not None:
        raise AppError("原所在党组织已撤销，请先编辑该党员的所在党组织。")
    audit.log(session, "members", member_id, "恢复在册", f"撤回{member.status}")
    member.status, member.left_on, member.left_reason, member.transferred_to = "在册", None, "", ""
    return MEMBERS


def set_photo(session: Session, member_id: int, data: bytes | None, mime: str = "image/jpeg") -> Changes:
    load_member(session, member_id)
    existing = session.get(MemberPhoto, member_id)
    if data is None:
        if existing is not None:
            session.delete(existing)
    elif existing is None:
        session.add(MemberPhoto(member_id=member_id, data=data, mime=mime))
    else:
        existing.data, existing.mime = data, mime
    audit.log(session, "members", member_id, "照片", "删除照片" if data is None else "更换照片")
    return MEMBERS


def photo(session: Session, member_id: int) -> bytes | None:
    row = session.get(MemberPhoto, member_id)
    return row.data if row else None


# ---------------------------------------------------------------- reading


def load_member(session: Session, member_id: int) -> Member:
    """The member, or NotFoundError in Chinese (deleted meanwhile or a wrong id)."""
    member = session.get(Member, member_id)
    if member is None:
        raise NotFoundError(f"找不到编号为 {member_id} 的党员。")
    return member


def get(session: Session, member_id: int) -> MemberRecord:
    member = load_member(session, member_id)
    paths = {n.id: n.path for n in orgs.list_tree(session, include_dissolved=True)}
    has_photo = session.get(MemberPhoto, member_id) is not None
    return MemberRecord(
        id=member.id,
        data=MemberInput(**{n: getattr(member, n) for n in INPUT_FIELDS}),
        org_path=paths.get(member.org_id, ""),
        status=member.status,
        left_on=member.left_on,
        left_reason=member.left_reason,
        transferred_to=member.transferred_to,
        has_photo=has_photo,
    )


def find_by_id_number(session: Session, id_number: str) -> int | None:
    return session.scalar(select(Member.id).where(Member.id_number == id_number))


@dataclass(frozen=True)
class MemberFilter:
    """What the ledger shows: an organisation subtree, statuses, category, identity, search text."""

    org_id: int | None = None
    statuses: tuple[str, ...] = ("在册",)
    category: str | None = None
    identity: str | None = None
    text: str = ""
    org_ids: tuple[int, ...] | None = field(default=None, compare=False)  # the subtree, filled in by the query


def subtree_ids(session: Session, org_id: int) -> list[int]:
    nodes = orgs.list_tree(session, include_dissolved=True)
    return [org_id, *orgs.descendants(nodes, org_id)]


def _prefix(column, text: str):
    return and_(column >= text, column < text + "\U0010ffff")


def search_condition(session: Session, text: str):
    """The WHERE clause for what the user typed, each kind of search on an index."""
    text = text.strip()
    if not text:
        return None
    compact = re.sub(r"\s+", "", text)
    if re.fullmatch(r"[0-9]+[xX]?", compact):
        conditions = [_prefix(Member.id_reversed, compact.upper()[::-1])]
        if compact.isdigit():
            conditions.append(_prefix(Member.mobile, compact))
        return or_(*conditions)
    if re.fullmatch(r"[A-Za-z]+", compact):
        keys = select(MemberSearchKey.member_id).where(_prefix(MemberSearchKey.key, compact.lower()))
        return Member.id.in_(keys)
    conditions = [_prefix(Member.name, compact)]
    if len(compact) <= 2:
        conditions.append(Member.id.in_(select(MemberSearchKey.member_id).where(_prefix(MemberSearchKey.key, compact))))
    else:
        # Three or more characters: any substring of name, address or employer (FTS5 trigram).
        phrase = '"' + compact.replace('"', '""') + '"'
        matches = text_clause("SELECT rowid FROM members_fts WHERE members_fts MATCH :q").bindparams(q=phrase)
        conditions.append(Member.id.in_(matches.columns(column("rowid", Integer))))
    return or_(*conditions)


SORT_COLUMNS = {
    "name": (Member.name_sort, Member.name),
    "sex": (Member.sex,),
    "birth_date": (Member.birth_date,),
    "id_number": (Member.id_number,),
    "ethnicity": (Member.ethnicity,),
    "education": (Member.education,),
    "category": (Member.category,),
    "org": (Organization.tree_rank,),
    "joined_on": (Member.joined_on,),
    "confirmed_on": (Member.confirmed_on,),
    "occupation": (Member.occupation,),
    "mobile": (Member.mobile,),
    "address": (Member.address,),
    "standing": (Member.standing,),
    "floating": (Member.floating,),
    "lost_contact": (Member.lost_contact,),
    "party_post": (Member.party_post,),
    "employer": (Member.employer,),
    "status": (Member.status,),
}


def query(session: Session, flt: MemberFilter, sort: str = "org", descending: bool = False) -> Select:
    """``SELECT members.id`` filtered and ordered (ties by name, then id) — the ledger's rows."""
    stmt = select(Member.id)
    if sort == "org":
        stmt = stmt.join(Organization, Organization.id == Member.org_id)
    if flt.statuses:
        stmt = stmt.where(Member.status.in_(flt.statuses))
    if flt.org_id is not None:
        stmt = stmt.where(Member.org_id.in_(flt.org_ids or subtree_ids(session, flt.org_id)))
    if flt.category:
        stmt = stmt.where(Member.category == flt.category)
    if flt.identity:
        stmt = stmt.where(IDENTITIES[flt.identity])
    condition = search_condition(session, flt.text)
    if condition is not None:
        stmt = stmt.where(condition)
    if sort == "status" and len(flt.statuses) == 1:
        sort = "name"  # one status shown: sorting by it is sorting by name, which an index serves
    keys = [*SORT_COLUMNS.get(sort, SORT_COLUMNS["org"])]
    if sort != "name":
        keys += [Member.name_sort]
    order = [k.desc() if descending else k.asc() for k in keys]
    return stmt.order_by(*order, Member.id.desc() if descending else Member.id)


def ordered_ids(session: Session, flt: MemberFilter, sort: str = "org", descending: bool = False) -> list[int]:
    """The ids of ``query``. At 100,000 rows SQLAlchemy's result processing costs more than SQLite
    itself, so on SQLite the compiled statement runs on the driver's cursor directly."""
    stmt = query(session, flt, sort, descending)
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return list(session.scalars(stmt))
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(compiled.string, [params[name] for name in compiled.positiontup])
        return [row[0] for row in cursor]
    finally:
        cursor.close()


LEDGER_COLUMNS = (
    "id", "name", "sex", "birth_date", "id_number", "ethnicity", "education", "category", "org_id", "joined_on",
    "confirmed_on", "occupation", "employer", "party_post", "mobile", "address", "standing", "floating",
    "lost_contact", "status", "left_on", "probation_extended",
)


def rows(session: Session, ids: Sequence[int]) -> dict[int, tuple]:
    """The ledger's columns (``LEDGER_COLUMNS``) for some members, by id: one query per page."""
    columns = [getattr(Member, c) for c in LEDGER_COLUMNS]
    result: dict[int, tuple] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in session.execute(select(*columns).where(Member.id.in_(chunk))):
            result[row[0]] = tuple(row)
    return result


@dataclass(frozen=True)
class DueConfirmation:
    member_id: int
    name: str
    org_id: int
    due_on: date
    days_left: int


def confirmations_due(session: Session, today: date, within_days: int = CONFIRM_WARNING_DAYS) -> list[DueConfirmation]:
    """预备党员 whose 转正 falls due within ``within_days`` (or is overdue): remind the secretary."""
    due = []
    stmt = select(Member.id, Member.name, Member.org_id, Member.joined_on, Member.probation_extended).where(
        Member.status == "在册", Member.category == "预备党员"
    )
    for member_id, name, org_id, joined_on, extended in session.execute(stmt):
        due_on = confirmation_due(joined_on, extended)
        days = (due_on - today).days
        if days <= within_days:
            due.append(DueConfirmation(member_id, name, org_id, due_on, days))
    return sorted(due, key=lambda d: d.due_on)


@dataclass(frozen=True)
class OrgCounts:
    total: int = 0
    full: int = 0  # 正式党员
    probationary: int = 0


def counts_by_org(session: Session) -> dict[int, OrgCounts]:
    """在册 members per organisation (direct, not the subtree)."""
    stmt = (
        select(Member.org_id, Member.category, func.count())
        .where(Member.status == "在册")
        .group_by(Member.org_id, Member.category)
    )
    found: dict[int, dict[str, int]] = {}
    for org_id, category, n in session.execute(stmt):
        found.setdefault(org_id, {})[category] = n
    return {
        org_id: OrgCounts(sum(c.values()), c.get("正式党员", 0), c.get("预备党员", 0))
        for org_id, c in found.items()
    }


def subtree_counts(nodes: Sequence[orgs.OrgNode], direct: dict[int, OrgCounts]) -> dict[int, OrgCounts]:
    """在册 members of each node and everything under it."""
    totals: dict[int, OrgCounts] = {}
    for node in reversed(nodes):  # pre-order reversed: children before their parents
        own = direct.get(node.id, OrgCounts())
        kids = [totals[c] for c in node.child_ids if c in totals]
        totals[node.id] = OrgCounts(
            own.total + sum(k.total for k in kids),
            own.full + sum(k.full for k in kids),
            own.probationary + sum(k.probationary for k in kids),
        )
    return totals


BRANCH_KINDS = ("党支部", "联合党支部", "临时党支部")
MIN_FULL_MEMBERS = 3
MAX_BRANCH_MEMBERS = 50
COMMITTEE_FROM = 7  # 正式党员 from which a branch elects a 支委会 of 3–5 (at most 7)


def branch_warnings(nodes: Sequence[orgs.OrgNode], totals: dict[int, OrgCounts]) -> dict[int, list[str]]:
    """The 支部工作条例 rules a branch can break, as warnings by node (DOMAIN.md)."""
    warnings: dict[int, list[str]] = {}
    for node in nodes:
        if not node.active or node.kind not in BRANCH_KINDS:
            continue
        count = totals.get(node.id, OrgCounts())
        found = []
        if count.full < MIN_FULL_MEMBERS and node.kind == "党支部":
            found.append(f"正式党员只有 {count.full} 名，不足 {MIN_FULL_MEMBERS} 名，应与邻近单位成立联合党支部")
        if count.total > MAX_BRANCH_MEMBERS:
            found.append(f"党员 {count.total} 名，超过 {MAX_BRANCH_MEMBERS} 名，可考虑分设党支部")
        committee_size = sum(1 for role, _ in node.committee if role not in ("组长",))
        if count.full >= COMMITTEE_FROM and committee_size < 3:
            found.append(f"正式党员 {count.full} 名（7 名以上），应设立 3 至 5 人的支部委员会，目前班子 {committee_size} 人")
        if found:
            warnings[node.id] = found
    return warnings
