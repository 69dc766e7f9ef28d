"""Regenerates the Excel files that tests/app/test_members_excel.py imports.

Run from the project root: python tests/data/make_excel_fixtures.py

The sheets name the organisations of ``ORG_TREE`` (the tests build that tree): 红星社区党委 with two grid
branches that each have a “1号楼党小组” (an ambiguous name) and a retired members' branch.
- messy_roster.xlsx: what offices really send — two title rows, a header with variants, line breaks and
  asterisks, a merged 所在党支部 cell over three rows, dates as date cells, serial numbers, 2001.7.1,
  2001年7月1日 and 2026-03, IDs with spaces, a lower-case x and full-width digits, an ID stored as a number,
  an ID twice, a wrong check code, an unknown and an ambiguous organisation, a blank row and a total row;
- two_sheets.xlsx: two sheets of members (clean) and a 说明 sheet without a header;
- roster.ods: an OpenDocument sheet with a merged organisation cell;
- not_excel.xlsx (a text file renamed), empty_sheet.xlsx, no_header.xlsx.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent.parent))

from app.idcard import check_code  # noqa: E402

ROOT = "红星社区党委"
ORG_TREE = (  # (path, kind), parents first
    (ROOT, "党委"),
    (f"{ROOT}/第一网格党支部", "党支部"),
    (f"{ROOT}/第一网格党支部/1号楼党小组", "党小组"),
    (f"{ROOT}/第一网格党支部/2号楼党小组", "党小组"),
    (f"{ROOT}/第二网格党支部", "党支部"),
    (f"{ROOT}/第二网格党支部/1号楼党小组", "党小组"),
    (f"{ROOT}/离退休党支部", "党支部"),
)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def make_id(birth: str, seq: str, region: str = "110105") -> str:
    first17 = region + birth + seq
    return first17 + check_code(first17)


def id_ending_in_x(birth: str, female: bool, region: str = "110105") -> str:
    for n in range(int(not female), 1000, 2):  # the 17th digit: odd for men, even for women
        number = make_id(birth, f"{n:03d}", region)
        if number.endswith("X"):
            return number
    raise AssertionError("no check code X")  # pragma: no cover


# The people of the messy sheet, with the 18-digit ID each should be stored under.
ZHANG = make_id("19700301", "135")
LI = id_ending_in_x("19750612", female=True)
WANG = make_id("19980115", "245")
ZHAO = make_id("19800909", "358")
LIU = make_id("19660505", "111")
DUPLICATE = make_id("19720202", "222")
HUANG_BAD = make_id("19810303", "333")[:17] + ("0" if make_id("19810303", "333")[17] != "0" else "1")
ZHOU = make_id("19850808", "443")
WU = make_id("19900101", "556")
SUN = make_id("19920606", "666")
MESSY_EXPECTED = {  # name → (ID, organisation path) of the rows that import
    "张建国": (ZHANG, f"{ROOT}/第一网格党支部"),
    "李秀英": (LI, f"{ROOT}/第一网格党支部"),
    "王伟": (WANG, f"{ROOT}/第一网格党支部"),
    "赵敏": (ZHAO, f"{ROOT}/第二网格党支部"),
    "孙丽": (SUN, f"{ROOT}/第一网格党支部/2号楼党小组"),
}
MESSY_REJECTED = {"刘洋": 12, "陈静": 13, "杨帆": 14, "黄磊": 15, "吴芳": 17}  # name → row
MESSY_WAITING = {"周涛": "第九网格党支部"}


def spaced(number: str) -> str:
    return f"{number[:6]} {number[6:14]}\u3000{number[14:]}"


def messy(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    book = Workbook()
    ws = book.active
    ws.title = "党员花名册"
    ws.append(["红星社区党员花名册"])
    ws.merge_cells("A1:N1")
    ws.append(["填报单位：红星社区党委（盖章）", None, None, None, None, None, None, None, None, "填报日期：2026年11月"])
    ws.merge_cells("A2:H2")
    ws.append(["序号", "*姓名", "性 别", "公民身份\n号码", "民族", "出生年月", "学历", "党员类别", "所在\n党支部",
               "入党时间", "转正时间", "联系电话", "家庭住址", "备注"])
    rows = [
        # 4–6: one merged 所在党支部 cell
        [1, "张建国", "男", spaced(ZHANG), "汉族", "1970.03", "大学本科", "正式党员", "第一网格党支部",
         date(1995, 7, 1), "1996.7.1", 13812345678, "幸福路 1 号 3-201", None],
        [2, "李秀英", "女", LI.lower(), "汉族", "1975年6月", "大学专科", "正式", None,
         35961, "1999年6月15日", "139 1234 5678", "幸福路 2 号 1-101", "退休教师"],  # 35961 = 1998-06-15
        [3, "王伟", "男", WANG.translate(FULL_WIDTH), "回族", None, "硕士研究生", "预备党员", None,
         "2026-03", None, None, "幸福路 3 号", None],
        [4, "赵敏", "女", ZHAO, "汉族", None, "普通高中", "正式党员", f"{ROOT}/第二网格党支部",
         "2001年7月1日", "2002-07-01", "13600001111", "和平街 9 号", None],
        # from row 12: the ID typed as a number has lost its last digits
        [5, "刘洋", "男", float(LIU), "汉族", None, "初中", "正式党员", "离退休党支部",
         date(1990, 7, 1), date(1991, 7, 1), None, None, None],
        [6, "陈静", "女", DUPLICATE, "汉族", None, "大学本科", "正式党员", "离退休党支部",
         date(1995, 7, 1), date(1996, 7, 1), None, None, None],
        [7, "杨帆", None, DUPLICATE, "汉族", None, "大学本科", "正式党员", "离退休党支部",
         date(1995, 7, 1), date(1996, 7, 1), None, None, "与上一行身份证号相同"],
        [8, "黄磊", "男", HUANG_BAD, "汉族", None, "大学本科", "正式党员", "离退休党支部",
         date(2005, 7, 1), date(2006, 7, 1), None, None, "校验位错"],
        [9, "周涛", "男", ZHOU, "汉族", None, "大学本科", "正式党员", "第九网格党支部",
         date(2010, 7, 1), date(2011, 7, 1), None, None, "组织不存在"],
        [10, "吴芳", "女", WU, "汉族", None, "大学本科", "正式党员", "1号楼党小组",
         date(2015, 7, 1), date(2016, 7, 1), None, None, "组织名称不唯一"],
        [11, "孙丽", "女", SUN, "汉族", None, "大学本科", "正式党员", "2号楼党小组",
         date(2016, 7, 1), date(2017, 7, 1), None, None, None],
        [None] * 14,
        ["合计：11 人"],
    ]
    for row in rows[:4]:  # rows 4–7
        ws.append(row)
    ws.append([None] * 14)  # row 8: blank inside the data
    ws.append(["注：本表由各网格党支部填报"])  # row 9: a note
    ws.append(["序号", "*姓名", "性 别", "公民身份\n号码", "民族", "出生年月", "学历", "党员类别", "所在\n党支部",
               "入党时间", "转正时间", "联系电话", "家庭住址", "备注"])  # row 10: the header repeated
    ws.append(["第二部分"])  # row 11: a section title
    for row in rows[4:]:
        ws.append(row)  # rows 12–20 (19 blank, 20 the total)
    ws.merge_cells("I4:I6")
    ws["D5"].number_format = "@"
    for cell in ws[3]:
        cell.alignment = Alignment(wrap_text=True)
    book.save(path)


def two_sheets(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "第一网格"
    headers = ["姓名", "身份证号", "所在党组织", "人员类别", "入党日期", "转正日期", "手机"]
    first.append(headers)
    first.append(["钱进", make_id("19700101", "011"), f"{ROOT}/第一网格党支部", "正式党员", date(1995, 7, 1),
                  date(1996, 7, 1), "13700000001"])
    first.append(["冯刚", make_id("19710202", "013"), f"{ROOT}/第一网格党支部/1号楼党小组", "正式党员",
                  date(1996, 7, 1), date(1997, 7, 1), "13700000002"])
    first.append(["褚红", make_id("19720303", "022"), f"{ROOT}/第一网格党支部/2号楼党小组", "预备党员",
                  date(2026, 6, 1), None, "13700000003"])
    second = book.create_sheet("第二网格")
    second.append(["第二网格党支部党员名单"])
    second.append(headers)
    second.append(["卫东", make_id("19730404", "031"), f"{ROOT}/第二网格党支部", "正式党员", date(1998, 7, 1),
                   date(1999, 7, 1), "13700000004"])
    second.append(["蒋英", make_id("19740505", "042"), f"{ROOT}/第二网格党支部/1号楼党小组", "正式党员",
                   date(1999, 7, 1), date(2000, 7, 1), "13700000005"])
    notes = book.create_sheet("说明")
    notes.append(["本工作簿由网格员填写，每个网格一个工作表。"])
    book.save(path)


def ods(path: Path) -> None:
    """A minimal OpenDocument spreadsheet written by hand (no library here writes .ods)."""
    t = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"

    def cell(value, spanned: int = 1) -> str:
        span = f' table:number-rows-spanned="{spanned}"' if spanned > 1 else ""
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, date):
            return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"{span}>'
                    f"<text:p>{value.isoformat()}</text:p></table:table-cell>")
        return (f'<table:table-cell office:value-type="string"{span}>'
                f"<text:p>{escape(str(value))}</text:p></table:table-cell>")

    def row(*cells: str) -> str:
        return "<table:table-row>" + "".join(cells) + "</table:table-row>"

    covered = "<table:covered-table-cell/>"
    rows = [
        row(*(cell(h) for h in ("姓名", "身份证号", "所在党组织", "人员类别", "入党日期", "转正日期"))),
        row(cell("郑和"), cell(make_id("19680707", "051")), cell("离退休党支部", 2), cell("正式党员"),
            cell(date(1990, 7, 1)), cell(date(1991, 7, 1))),
        row(cell("韩梅"), cell(make_id("19690808", "062")), covered, cell("正式党员"),
            cell(date(1991, 7, 1)), cell(date(1992, 7, 1))),
    ]
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        f'xmlns:table="{t}" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="花名册">'
        + "".join(rows)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype", (2026, 1, 1, 0, 0, 0)),
                         "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr(zipfile.ZipInfo("META-INF/manifest.xml", (2026, 1, 1, 0, 0, 0)), manifest)
        archive.writestr(zipfile.ZipInfo("content.xml", (2026, 1, 1, 0, 0, 0)), content)


def broken(folder: Path) -> None:
    from openpyxl import Workbook

    (folder / "not_excel.xlsx").write_text("姓名,身份证号\n张三,110105197003011234\n", encoding="utf-8")
    book = Workbook()
    book.active.title = "Sheet1"
    book.save(folder / "empty_sheet.xlsx")
    book = Workbook()
    ws = book.active
    ws.title = "名单"
    ws.append(["名字", "证件", "部门"])
    ws.append(["张三", "110105197003011234", "第一网格"])
    book.save(folder / "no_header.xlsx")


# ---------------------------------------------------------------- 流动党员 (tests/app/test_floating_excel.py)

# The ledger members the floating sheets name (the tests create them under ORG_TREE, all 在册, then mark
# WEI_DONG 转出): name → (ID, organisation path, 入党日期).
FLOATING_LEDGER = {
    "钱进": (make_id("19700101", "011"), f"{ROOT}/第一网格党支部", date(1995, 7, 1)),
    "冯刚": (make_id("19710202", "013"), f"{ROOT}/第一网格党支部/1号楼党小组", date(1996, 7, 1)),
    "褚红": (make_id("19720303", "022"), f"{ROOT}/第二网格党支部", date(1997, 7, 1)),
    "卫东": (make_id("19730404", "031"), f"{ROOT}/第二网格党支部", date(1998, 7, 1)),
    "蒋英": (make_id("19740505", "042"), f"{ROOT}/离退休党支部", date(1999, 7, 1)),
    "沈力": (make_id("19750606", "051"), f"{ROOT}/离退休党支部", date(2000, 7, 1)),
    "韩梅": (make_id("19690808", "062"), f"{ROOT}/第一网格党支部/2号楼党小组", date(1991, 7, 1)),
    "杨柳": (make_id("19760707", "074"), f"{ROOT}/第一网格党支部", date(2001, 7, 1)),
}
NOT_IN_LEDGER = make_id("19800101", "071")
CAO_CAO = make_id("19850101", "083")
SUN_QUAN = make_id("19860202", "093")
# Row → (name, what happens) of floating_messy.xlsx, for the tests.
FLOATING_ADDED = {("外出党员", 4): "钱进", ("外出党员", 5): "冯刚", ("外出党员", 9): "韩梅", ("外出党员", 10): "韩梅",
                  ("流入党员登记", 4): "曹操", ("流入党员登记", 5): "孙尚香", ("补充", 2): "杨柳", ("补充", 3): "孙权"}
FLOATING_REJECTED = {("外出党员", 6): "褚红", ("外出党员", 7): "卫东", ("外出党员", 8): "蒋英", ("外出党员", 11): "沈力",
                     ("外出党员", 12): "孔明", ("流入党员登记", 6): "钱进", ("流入党员登记", 7): "曹丕",
                     ("补充", 4): "周瑜"}


def floating_messy(path: Path) -> None:
    """What offices send for the 流动党员之家: an 外出 sheet with a title row, header variants, a 流向 cell,
    dates in every form, a row found by name only, an ID typed as a number, a member who left the ledger,
    a member not in it, a date in the future and a return before the leave; a 流入 sheet with a merged
    联系党组织; a third sheet whose rows say 外出 or 流入 in a 类型 column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    ledger = {name: number for name, (number, _, _) in FLOATING_LEDGER.items()}
    book = Workbook()
    ws = book.active
    ws.title = "外出党员"
    ws.append(["红星社区外出流动党员登记表"])
    ws.merge_cells("A1:J1")
    ws.append(["填报单位：红星社区党委", None, None, None, None, None, None, None, "2026年11月"])
    ws.append(["序号", "姓  名", "公民身份\n号码", "外出时间", "返回时间", "流向", "工作单位", "外出原因", "管理方式",
               "活动证号", "活动证\n有效期至", "备注"])
    rows = [
        # 4: an ID with spaces, a date cell, a certificate valid beyond today
        [1, "钱进", spaced(ledger["钱进"]), date(2026, 3, 1), None, "广东省深圳市", "华强电子厂", "务工经商", "流出地直管",
         "LD2026001", "2027年2月28日", None],
        # 5: no ID (found by the unique name), 2026.7.15, a 流向 with a space, 外出务工经商 → 务工经商
        [2, "冯刚", None, "2026.7.15", None, "浙江 杭州", None, "外出务工经商", None, None, None, None],
        # 6: the ID typed as a number
        [3, "褚红", float(ledger["褚红"]), "2026-05-01", None, "江苏省苏州市", None, "学习", None, None, None, None],
        # 7: a member the tests mark 转出
        [4, "卫东", ledger["卫东"], "2026-04-01", None, "上海市", None, "随迁", None, None, None, None],
        # 8: a leave date in the future
        [5, "蒋英", ledger["蒋英"], "2030-01-01", None, "北京市", None, "其他", None, None, None, None],
        # 9 and 10: one member's two periods, the later first; a serial date (45352 = 2024-03-01) and 2024年9月30日
        [6, "韩梅", ledger["韩梅"], "2025年1月10日", None, "四川省成都市", None, "随迁", None, None, None, "现在在成都"],
        [7, "韩梅", ledger["韩梅"], 45352, "2024年9月30日", "重庆市", None, "务工经商", None, None, None, None],
        # 11: back before leaving
        [8, "沈力", ledger["沈力"], "2026-06-01", "2026-05-01", "湖北省武汉市", None, "务工经商", None, None, None, None],
        # 12: not in the ledger (an inflow member on the wrong sheet)
        [9, "孔明", NOT_IN_LEDGER, "2026-02-01", None, "河南省南阳市", None, "务工经商", None, None, None, None],
        [None] * 12,
        ["合计：9 人"],
    ]
    for row in rows:
        ws.append(row)
    ws["C4"].number_format = "@"
    for cell in ws[3]:
        cell.alignment = Alignment(wrap_text=True)

    ws = book.create_sheet("流入党员登记")
    ws.append(["流入党员登记表"])
    ws.merge_cells("A1:I1")
    ws.append([])
    ws.append(["姓名", "身份证号", "手机号", "原党组织", "流入日期", "所持证明", "证明编号", "有效期", "联系党组织",
               "现居住地"])
    ws.append(["曹操", CAO_CAO, "13900000001", "河南省许昌市某某街道党工委", "2025.3.1", "活动证", "HN001",
               date(2027, 3, 1), "第一网格党支部", "幸福路 3 号 2-101"])  # 4
    ws.append(["孙尚香", None, "139 0000 0002", "江苏省南京市某某社区党委", date(2026, 1, 5), "介绍信", None, None, None,
               "幸福路 5 号"])  # 5: 联系党组织 merged from row 4
    ws.append(["钱进", ledger["钱进"], "13900000003", "北京市某某党委", "2025-01-01", "无", None, None, "第一网格党支部",
               None])  # 6: a ledger member
    ws.append(["曹丕", CAO_CAO, "13900000004", "河南省许昌市某某街道党工委", "2025-05-01", "无", None, None,
               "第一网格党支部", None])  # 7: the same ID as row 4
    ws.merge_cells("I4:I5")

    ws = book.create_sheet("补充")
    ws.append(["类型", "姓名", "公民身份号码", "外出日期", "外出省份", "外出城市", "外出原因", "来到日期", "组织关系所在党组织",
               "联系党组织"])
    ws.append(["外出", "杨柳", ledger["杨柳"], "2026-08-01", "广东省", "广州市", "学习", None, None, None])  # 2
    ws.append(["流入", "孙权", SUN_QUAN, None, None, None, None, "2026-02-01", "浙江省杭州市某某党委",
               f"{ROOT}/第二网格党支部"])  # 3
    ws.append(["流动", "周瑜", None, "2026-08-01", "广东省", None, "学习", None, None, None])  # 4: no such kind
    book.save(path)


def main(folder: Path = HERE) -> None:
    messy(folder / "messy_roster.xlsx")
    two_sheets(folder / "two_sheets.xlsx")
    ods(folder / "roster.ods")
    broken(folder)
    floating_messy(folder / "floating_messy.xlsx")


if __name__ == "__main__":
    main()


# ---------------------------------------------------------------- a large sheet (made by tests and bench/, not kept)

BIG_ORGS = (f"{ROOT}/第一网格党支部", f"{ROOT}/第一网格党支部/2号楼党小组", f"{ROOT}/第二网格党支部", "离退休党支部")
BIG_HEADERS = ("姓名", "性别", "身份证号", "民族", "出生日期", "学历", "人员类别", "所在党组织", "入党日期", "转正日期",
               "工作岗位", "手机", "家庭住址", "党籍状态", "籍贯", "工作单位及职务", "备注")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力明永健世广志义兴良海山仁波宁贵福生龙元全胜学祥才发成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"


def big_roster(path: Path, rows: int = 10_000, bad_every: int = 10, *, columns: Sequence[str] = BIG_HEADERS) -> int:
    """A sheet of ``rows`` members, every ``bad_every``-th of them wrong in one of several ways;
    returns how many rows are bad. Written with openpyxl's write-only mode."""
    import random
    from datetime import timedelta

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    rng = random.Random(7)
    book = Workbook(write_only=True)
    ws = book.create_sheet("花名册")
    ws.append(list(columns))
    bad = 0
    for i in range(rows):
        birth = date(1940, 1, 1) + timedelta(days=i * 2 + rng.randint(0, 1))
        female = i % 2 == 0
        seq = f"{(i // 2) % 500 * 2 + (0 if female else 1):03d}"
        number = make_id(birth.strftime("%Y%m%d"), seq)
        joined = date(birth.year + 19 + rng.randint(0, 20), rng.randint(1, 12), rng.randint(1, 28))
        joined = min(joined, date(2024, 6, 1))
        values = {
            "姓名": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
            "性别": "女" if female else "男", "身份证号": number, "民族": "汉族", "出生日期": birth,
            "学历": rng.choice(("大学本科", "大学专科", "普通高中", "初中", "硕士研究生")), "人员类别": "正式党员",
            "所在党组织": BIG_ORGS[i % len(BIG_ORGS)], "入党日期": joined, "转正日期": date(joined.year + 1, joined.month,
                                                                                    joined.day),
            "工作岗位": rng.choice(("离退休人员", "社区工作人员", "公有经济专业技术人员", "自由职业人员")),
            "手机": f"13{rng.randint(0, 999999999):09d}", "家庭住址": f"幸福路 {i % 97 + 1} 号 {i % 6 + 1}-{i % 30 + 101}",
            "党籍状态": "正常", "籍贯": "北京", "工作单位及职务": "", "备注": "",
        }
        if i % bad_every == bad_every - 1:
            bad += 1
            kind = (i // bad_every) % 5
            if kind == 0:
                values["身份证号"] = number[:17] + ("0" if number[17] != "0" else "1")  # wrong check code
            elif kind == 1:
                values["入党日期"] = "2099-01-01"  # in the future
            elif kind == 2:
                values["手机"] = "1381234"  # too short
            elif kind == 3:
                values["身份证号"] = float(number[:17] + "0")  # stored as a number
            else:
                values["人员类别"] = "群众"
        cells = []
        for header in columns:
            cell = WriteOnlyCell(ws, value=values.get(header) or None)
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        ws.append(cells)
    book.save(path)
    return bad
