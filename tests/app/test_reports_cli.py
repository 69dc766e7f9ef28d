"""`python -m app print annual-files | certificates | publicity | roster` on the demo community."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

PROJECT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=300)


def text_of(path: Path, pages: int | None = None) -> str:
    reader = PdfReader(path)
    return "".join(page.extract_text() for page in reader.pages[:pages])


@pytest.fixture
def db(demo_db_path) -> str:
    return str(demo_db_path)


def test_certificates_of_the_approved_year_and_refusal_of_the_open_one(db, tmp_path):
    out = tmp_path / "证书.pdf"
    done = run_cli("print", "certificates", "--db", db, "--year", "2025", "--min-stars", "5", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "已生成 2025 年度星级党员证书（白纸）" in done.stdout
    pages = len(PdfReader(out).pages)
    assert 0 < pages < 171  # only the 五星 of the demo's 171 certificates
    assert "被评为“五星级党员”" in text_of(out, 1) and "证书编号：2025-0" in text_of(out, 1)

    refused = run_cli("print", "certificates", "--db", db, "--year", "2026", "--out", str(tmp_path / "x.pdf"))
    assert refused.returncode == 1
    assert "2026 年度评定尚未批准，不能打印证书" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_annual_files_of_a_branch_as_one_pdf_and_one_per_member(db, tmp_path):
    out = tmp_path / "档案.pdf"
    done = run_cli("print", "annual-files", "--db", db, "--year", "2025", "--org", "第一网格党支部", "--toc",
                   "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "已生成 2025 年度党员年度档案" in done.stdout
    assert "目录" in text_of(out, 1)
    folder = tmp_path / "每人一份"
    done = run_cli("print", "annual-files", "--db", db, "--year", "2025", "--org", "第一网格党支部",
                   "--per-member", str(folder))
    assert done.returncode == 0, done.stderr
    files = sorted(folder.glob("*.pdf"))
    assert files and all(f.name.endswith("_2025.pdf") and len(f.stem.split("_")[1]) == 4 for f in files)
    both = run_cli("print", "annual-files", "--db", db, "--year", "2025", "--out", str(out), "--per-member",
                   str(folder))
    assert both.returncode == 1 and "--out FILE.pdf" in both.stderr
    no_year = run_cli("print", "annual-files", "--db", db, "--out", str(out))
    assert no_year.returncode == 1 and "请用 --year YYYY 给出年度" in no_year.stderr


def test_publicity_and_the_masked_roster(db, tmp_path):
    out = tmp_path / "公示.pdf"
    done = run_cli("print", "publicity", "--db", db, "--year", "2025", "--out", str(out))
    assert done.returncode == 0, done.stderr
    text = text_of(out)
    assert "民主评议党员和星级党员评定结果公示" in text and "********" in text and "****" in text
    roster = tmp_path / "花名册.pdf"
    done = run_cli("print", "roster", "--db", db, "--mask", "--out", str(roster))
    assert done.returncode == 0, done.stderr
    assert "身份证号、电话已部分隐藏" in done.stdout
    assert "党员花名册" in text_of(roster, 1)
    missing_out = run_cli("print", "roster", "--db", db)
    assert missing_out.returncode == 1 and "--out FILE.pdf" in missing_out.stderr
