"""``python -m app check``: every step reported, non-zero exit on the first failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.selfcheck import pdf_font_problems

ROOT = Path(__file__).resolve().parents[2]


def _check(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DANGJIAN_DATA_DIR=str(data_dir))
    return subprocess.run([sys.executable, "-m", "app", "check", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


def test_check_passes_and_reports_each_step(tmp_path, demo_db_path):
    data_dir = tmp_path / "data"
    result = _check("--db", str(demo_db_path), data_dir=data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line[0] for line in lines if line[:1] in "✓✗"] == ["✓"] * 5
    assert "含生僻字 𠮷" in result.stdout and "完整" in result.stdout and "拼音检索正常" in result.stdout
    assert lines[-1] == "自检通过。"
    # the check works in a temporary folder: nothing beside the database, no saved window state
    assert sorted(p.name for p in demo_db_path.parent.iterdir()) == ["demo.sqlite"]


def test_check_fails_on_a_damaged_user_database(tmp_path, demo_db_path):
    damaged = tmp_path / "damaged.sqlite"
    data = bytearray(demo_db_path.read_bytes())
    data[4096 * 3: 4096 * 5] = b"\xff" * 8192  # overwrite whole pages in the middle
    damaged.write_bytes(bytes(data))
    result = _check("--db", str(damaged), data_dir=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1].startswith("✗ 检查用户数据库完整性")


def test_pdf_font_problems_spots_unembedded_and_missing_fallback():
    assert pdf_font_problems(b"<< /Type /Font /BaseFont /Helvetica >>") == [
        "PDF 中有未嵌入的字体：Helvetica",
        "生僻字没有使用后备字体（𠮷 将打印为空白）",
    ]
    good = (b"<< /BaseFont /AAAAAA+WenQuanYiMicroHei-0 >> << /Type /FontDescriptor /FontFile2 5 0 R >>"
            b"<< /BaseFont /AAAAAB+BabelStoneHan >> << /Type /FontDescriptor /FontFile2 9 0 R >>")
    assert pdf_font_problems(good) == []
    assert pdf_font_problems(good + b"<< /Type /FontDescriptor >>") == ["PDF 中有 1 个字体未嵌入"]
