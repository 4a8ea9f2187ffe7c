"""The citizens' site: only published years appear, and every data file matches datapackage.json."""

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from analytics import cli
from analytics.publish.approval import publish_year, read_published_years, withdraw_year
from analytics.publish.site import build_site

_JSON_TYPES = {"string": ["string", "null"], "integer": ["integer", "null"], "number": ["number", "null"]}


def test_nothing_published_is_refused_in_one_sentence(engine, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert cli.main(["publish", "--output", str(tmp_path / "site")]) == 1
    assert capsys.readouterr().err == (
        "エラー: 公表済みの年度がありません。管理者が `python -m analytics publish approve --year 年度` "
        "で公表してから実行してください。\n"
    )
    assert not (tmp_path / "site").exists()


def test_withdrawn_year_is_no_longer_published(engine):
    publish_year(engine, 2023, "admin")
    publish_year(engine, 2024, "admin")
    withdraw_year(engine, 2024, "admin")
    assert read_published_years(engine) == [2023]


def test_unpublished_year_never_appears(engine, tmp_path):
    publish_year(engine, 2022, "admin")
    publish_year(engine, 2023, "admin")
    build_site(engine, tmp_path / "site")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "site/data/plan.csv").read_text(encoding="utf-8-sig"))))
    assert {row["fiscal_year"] for row in rows} == {"2022", "2023"}
    pages = [path.read_text(encoding="utf-8") for path in (tmp_path / "site").rglob("*.html")]
    assert [page for page in pages if "令和6(2024)年度" in page] == []


@pytest.fixture
def site(engine, tmp_path) -> Path:
    for year in (2022, 2023, 2024):
        publish_year(engine, year, "admin")
    build_site(engine, tmp_path / "site", base_url="https://example.jp/sanka/")
    return tmp_path / "site"


def test_every_data_file_matches_its_schema(site):
    package = json.loads((site / "datapackage.json").read_text(encoding="utf-8"))
    assert package["municipality_code"] == "282171"
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    listed = {resource["path"] for resource in package["resources"]}
    assert listed == {f"data/{path.name}" for path in (site / "data").iterdir()}
    for resource in package["resources"]:
        fields = resource["schema"]["fields"]
        names = [field["name"] for field in fields]
        content = (site / resource["path"]).read_bytes()
        if resource["format"] == "csv":
            assert content.startswith(b"\xef\xbb\xbf"), resource["path"]
            records = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
            records = [
                {name: _cast(row[name], field["type"]) for name, field in zip(names, fields, strict=True)}
                for row in records
            ]
        else:
            records = json.loads(content)
        schema = {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": names,
                "additionalProperties": False,
                "properties": {field["name"]: {"type": _JSON_TYPES[field["type"]]} for field in fields},
            },
        }
        jsonschema.validate(records, schema)


def _cast(text: str, kind: str) -> object:
    if text == "":
        return None
    return {"integer": int, "number": float, "string": str}[kind](text)


def test_sitemap_lists_every_page_under_the_base_url(site):
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    pages = sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))
    assert sitemap.count("<loc>") == len(pages)
    assert all(f"<loc>https://example.jp/sanka/{page}</loc>" in sitemap for page in pages)


def test_every_page_carries_the_sample_notice_in_its_language(site):
    missing = [
        path.relative_to(site).as_posix()
        for path in site.rglob("*.html")
        if _notice(path.relative_to(site)) not in path.read_text(encoding="utf-8")
    ]
    assert (missing, len(list(site.glob("en/**/*.html")))) == ([], 17)


def _notice(page: Path) -> str:
    if page.parts[0] == "en":
        return "This site contains sample (fictional) data."
    return "このサイトにはサンプル（架空）のデータが含まれます。"


def test_cli_approves_withdraws_and_builds(engine, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert cli.main(["publish", "approve", "--year", "2023", "--user", "kanri"]) == 0
    assert cli.main(["publish", "approve", "--year", "2024", "--user", "kanri"]) == 0
    assert cli.main(["publish", "withdraw", "--year", "2024", "--user", "kanri"]) == 0
    assert cli.main(["publish", "--output", str(tmp_path / "site")]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "令和5(2023)年度の結果と所見を公表しました（kanri）。",
        "令和6(2024)年度の結果と所見を公表しました（kanri）。",
        "令和6(2024)年度の公表を取り下げました（kanri）。",
        f"公開サイトを書き出しました: {tmp_path / 'site'}（34 ページ、データ 26 ファイル、公表年度: 令和5(2023)年度）",
    ]


def test_an_indicator_page_states_the_definition_the_plan_gives(site):
    page = (site / "indicator" / "1-1.html").read_text(encoding="utf-8")
    assert '<dt>調査名</dt><dd lang="ja">市民意識調査</dd>' in page
