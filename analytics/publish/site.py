"""Build the citizens' static site from published years only: pages, SVG charts, open data and its datapackage."""

import io
import json
import shutil
import tempfile
import tomllib
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import jinja2
import pandas as pd
import yaml
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.assessment import PlanEvaluation, evaluate_plan
from analytics.evaluation_settings import Settings, load_settings
from analytics.method import describe_method, explain_status
from analytics.plan import Plan
from analytics.presentation import (
    describe_departments,
    describe_status,
    format_value,
    list_definition,
    status_badge,
)
from analytics.publish.approval import read_published_years
from analytics.sample_data import describe_sample
from analytics.spreadsheets import protect_csv_text

PUBLISH_SETTINGS = Path(__file__).resolve().parent.parent.parent / "data" / "publish.toml"
_TEMPLATES = Path(__file__).resolve().parent / "templates"
_TRANSLATIONS = Path(__file__).resolve().parent / "i18n.yaml"
# The plan names its levels in Japanese only; the English pages use these general words.
_ENGLISH_LEVELS = {v.POLICY: "Basic policy", v.INDICATOR: "Indicator"}
_LICENSE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/", "title": "CC BY 4.0"}
# Open-data columns: name in the files, Frictionless type, Japanese title.
_HISTORY_FIELDS = [
    ("indicator_code", "string", "指標"),
    ("fiscal_year", "integer", "年度"),
    ("dimension", "string", "区分"),
    ("category", "string", "区分の値"),
    ("value", "number", "実績"),
    ("respondents", "integer", "回答者数"),
    ("margin", "number", "誤差（±）"),
]
_STRUCTURE_FIELDS = [
    ("kind", "string", "階層"),
    ("code", "string", "番号"),
    ("parent_code", "string", "上位の番号"),
    ("name", "string", "名称"),
]


class PublishError(RuntimeError):
    """Nothing may be published yet; the message is one Japanese sentence saying what to do."""


@dataclass(frozen=True)
class SiteSummary:
    """What a build wrote, for the command's report."""

    pages: int
    data_files: int
    years: list[int]


def build_site(engine: Engine, output: Path, base_url: str | None = None) -> SiteSummary:
    """Write the whole site to `output` (replacing it only once complete), from published years only."""
    years = read_published_years(engine)
    if not years:
        raise PublishError(
            "公表済みの年度がありません。管理者が `python -m analytics publish approve --year 年度` で公表してから実行してください。"
        )
    content = SiteContent(
        plan=store.read_plans(engine)[-1],
        observations=store.read_observations(engine),
        commentary=_read_published_commentary(engine, years),
        last_update=store.read_last_update(engine),
        years=years,
    )
    return write_site(content, output, base_url)


@dataclass(frozen=True)
class SiteContent:
    """Everything a site is built from; observations and 所見 of unpublished years are dropped on writing."""

    plan: Plan
    observations: pd.DataFrame
    commentary: pd.DataFrame
    last_update: datetime | None
    years: list[int]


def write_site(content: SiteContent, output: Path, base_url: str | None = None) -> SiteSummary:
    """Evaluate the published years as the dashboard does and write the site, replacing `output` once complete."""
    observations = content.observations
    published = observations[observations["fiscal_year"].isin(content.years)].reset_index(drop=True)
    settings = load_settings()
    evaluation = evaluate_plan(
        content.plan.indicators,
        published,
        settings,
        max(content.years),
        settings.method,
        content.plan.yearly_targets,
    )
    output.resolve().parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.resolve().parent) as scratch:
        staging = Path(scratch) / "site"
        pages, data_files = _write_site(staging, content, evaluation, published, settings, base_url)
        if output.exists():
            shutil.rmtree(output)
        staging.rename(output)
    return SiteSummary(pages=pages, data_files=data_files, years=content.years)


def build_site_archive(engine: Engine) -> bytes:
    """The same site as `publish` writes, as zip bytes, for staff who cannot run the command."""
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        build_site(engine, site)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(site.rglob("*")):
                archive.write(path, path.relative_to(site).as_posix())
        return buffer.getvalue()


def read_municipality_code(path: Path = PUBLISH_SETTINGS) -> str:
    """The 全国地方公共団体コード recorded in every data package (data/publish.toml)."""
    return str(tomllib.loads(path.read_text(encoding="utf-8"))["municipality_code"])


def slug(code: str) -> str:
    """A file name for a plan code: 「1-①」 becomes 「1-1」, so links work from any server and file://."""
    return unicodedata.normalize("NFKC", code).replace(".", "-")


def _write_site(
    root: Path,
    content: SiteContent,
    evaluation: PlanEvaluation,
    observations: pd.DataFrame,
    settings: Settings,
    base_url: str | None,
) -> tuple[int, int]:
    plan, years, last_update = content.plan, content.years, content.last_update
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True)
    (root / "data").mkdir(parents=True)
    shutil.copy(_TEMPLATES / "style.css", root / "style.css")
    sample = describe_sample(plan.indicators, observations)
    common = {
        "plan": plan,
        "sample_notice": "。".join(sample) + "。" if sample else "",
        "years": [v.format_fiscal_year(year) for year in years],
        "updated": last_update.astimezone(UTC).strftime("%Y-%m-%d") if last_update else "—",
    }
    pages: dict[str, str] = {}
    texts = yaml.safe_load(_TRANSLATIONS.read_text(encoding="utf-8"))

    def level_of(t: dict) -> Callable[[str], str]:
        return plan.level if t["lang"] == "ja" else _ENGLISH_LEVELS.__getitem__

    def render(path: str, template: str, title: Callable[[dict], str], description: str, **values: object) -> None:
        # Japanese at the root, English under en/; links stay relative so file:// works too.
        for language, t in texts.items():
            local = path if language == "ja" else f"en/{path}"
            root = "../" * local.count("/")
            pages[local] = environment.get_template(template).render(
                common,
                t=t,
                level=level_of(t),
                root=root,
                home=root if language == "ja" else f"{root}en/",
                other=f"{root}en/{path}" if language == "ja" else f"{root}{path}",
                title=title(t),
                description=description,
                **values,
            )

    evaluated = evaluation.indicators[evaluation.indicators["dimension"] == v.OVERALL]
    commentary = content.commentary[content.commentary["fiscal_year"].isin(years)]
    policies = []
    for policy in plan.policies.itertuples():
        rows = evaluated[evaluated["policy_code"] == policy.code]
        policies.append(
            {
                "code": policy.code,
                "slug": slug(policy.code),
                "name": policy.name,
                "counts": _count_statuses(rows["status"]),
                "indicators": [_indicator_card(row) for _, row in rows.iterrows()],
            }
        )
    render(
        "index.html",
        "index.html",
        lambda t: t["progress"],
        f"{plan.title}の進捗状況（{common['years'][-1]}まで）",
        policies=policies,
    )
    for policy in policies:
        render(
            f"policy/{policy['slug']}.html",
            "policy.html",
            lambda t, code=policy["code"]: f"{level_of(t)(v.POLICY)} {code}",
            policy["name"],
            policy=policy,
        )
    for _, row in evaluated.iterrows():
        code = row["code"]
        history = _history_table(evaluation.history_of(code))
        render(
            f"indicator/{slug(code)}.html",
            "indicator.html",
            lambda t, code=code, name=row["name"]: f"{code} {name}",
            f"{row['name']}の推移と評価",
            indicator=_indicator_card(row),
            policy_slug=slug(row["policy_code"]),
            definition=plan.indicators.set_index("code").loc[code],
            definition_lines=list_definition(plan.indicators.set_index("code").loc[code]),
            departments=describe_departments(plan.indicators.set_index("code").loc[code]),
            explanation=explain_status(row, settings, evaluation.method),
            chart=_draw_chart(history, row["unit"], row["name"]),
            summary=_summarise(history, row["unit"]),
            history=_format_history(history, row["unit"]),
            breakdowns=_breakdown_table(evaluation.breakdowns_of(code)),
            commentary=commentary[commentary["indicator_code"] == code].to_dict("records"),
        )
    render(
        "method.html",
        "method.html",
        lambda t: t["method"],
        "状況の判定のしかた",
        sections=describe_method(settings, evaluation.method),
    )
    resources = _write_data(root / "data", plan, evaluation, observations)
    render("data.html", "data.html", lambda t: t["data"], "公開データの一覧と項目", resources=resources)
    for path, html in pages.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(html, encoding="utf-8")
    if base_url:
        _write_sitemap(root, base_url, list(pages))
    return len(pages), len(resources)


def _count_statuses(statuses: pd.Series) -> dict[str, int]:
    """「◎ 達成: 1」 … in the plan's status order, only the statuses that occur."""
    counts = statuses.astype(str).value_counts()
    return {status_badge(status): int(counts[status]) for status in v.STATUS_LABELS if counts.get(status, 0)}


def _indicator_card(row: pd.Series) -> dict:
    return {
        "code": row["code"],
        "slug": slug(row["code"]),
        "name": row["name"],
        "status": describe_status(row["status"], row["status_range"]),
        "value": format_value(row["value"], row["unit"]),
        "target": format_value(row["target_value"], row["unit"]),
        "year": v.format_fiscal_year(int(row["year"])) if pd.notna(row["year"]) else "—",
        "reasons": row["reasons"],
    }


def _history_table(history: pd.DataFrame) -> pd.DataFrame:
    return history[["fiscal_year", "value", "respondents", "margin"]].sort_values("fiscal_year").reset_index(drop=True)


def _format_history(history: pd.DataFrame, unit: str) -> list[dict]:
    return [
        {
            "year": v.format_fiscal_year(int(row["fiscal_year"])),
            "value": format_value(row["value"], unit),
            "respondents": "—" if pd.isna(row["respondents"]) else f"{int(row['respondents']):,}",
            "margin": "—" if pd.isna(row["margin"]) else f"±{row['margin']:.1f}",
        }
        for _, row in history.iterrows()
    ]


def _breakdown_table(breakdowns: pd.DataFrame) -> list[dict]:
    return [
        {
            "dimension": row["dimension"],
            "category": row["category"],
            "value": format_value(row["value"], row["unit"]),
            "respondents": "—" if pd.isna(row["respondents"]) else f"{int(row['respondents']):,}",
        }
        for _, row in breakdowns.iterrows()
    ]


def _summarise(history: pd.DataFrame, unit: str) -> str:
    """The chart's text description, generated from the same numbers."""
    known = history.dropna(subset=["value"])
    if known.empty:
        return "公表済みの年度に値はありません。"
    first, last = known.iloc[0], known.iloc[-1]
    return (
        f"{v.format_fiscal_year(int(first['fiscal_year']))}の{format_value(first['value'], unit)}から"
        f"{v.format_fiscal_year(int(last['fiscal_year']))}の{format_value(last['value'], unit)}まで、"
        f"{len(known)}年度分の値があります。"
    )


def _draw_chart(history: pd.DataFrame, unit: str, name: str) -> str:
    """A static inline SVG line chart with error bars; no script and no external request."""
    known = history.dropna(subset=["value"])
    if known.empty:
        return ""
    width, height, pad = 640, 260, 48
    margin = known["margin"].fillna(0)
    low, high = float((known["value"] - margin).min()), float((known["value"] + margin).max())
    low, high = (low - 1, high + 1) if low == high else (low, high)
    first, last = int(known["fiscal_year"].min()), int(known["fiscal_year"].max())

    def x(year: float) -> float:
        return pad + (year - first) / max(last - first, 1) * (width - 2 * pad)

    def y(value: float) -> float:
        return height - pad - (value - low) / (high - low) * (height - 2 * pad)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(name)}の推移">',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" class="axis"/>',
        f'<text x="4" y="{y(high) + 4:.1f}" class="tick">{escape(format_value(high, unit))}</text>',
        f'<text x="4" y="{y(low) + 4:.1f}" class="tick">{escape(format_value(low, unit))}</text>',
    ]
    points = []
    for _, row in known.iterrows():
        cx, cy, error = x(row["fiscal_year"]), y(row["value"]), float(row["margin"]) if pd.notna(row["margin"]) else 0
        points.append(f"{cx:.1f},{cy:.1f}")
        parts.append(
            f'<line x1="{cx:.1f}" y1="{y(row["value"] - error):.1f}" x2="{cx:.1f}" y2="{y(row["value"] + error):.1f}" class="error"/>'
        )
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4"/>')
        parts.append(
            f'<text x="{cx:.1f}" y="{height - pad + 18}" class="tick" text-anchor="middle">{int(row["fiscal_year"])}</text>'
        )
    parts.insert(4, f'<polyline points="{" ".join(points)}" class="line"/>')
    parts.append("</svg>")
    return "".join(parts)


def _read_published_commentary(engine: Engine, years: list[int]) -> pd.DataFrame:
    frames = [store.read_commentary(engine, year).assign(fiscal_year=year) for year in years]
    return pd.concat(frames, ignore_index=True).sort_values("fiscal_year")


def _write_data(directory: Path, plan: Plan, evaluation: PlanEvaluation, observations: pd.DataFrame) -> list[dict]:
    """Per indicator and whole-plan CSV (UTF-8 with BOM) and JSON, the plan structure, and datapackage.json."""
    history = evaluation.history
    margins = history.set_index(["indicator_code", "fiscal_year"])["margin"]
    table = observations.join(margins, on=["indicator_code", "fiscal_year"])
    table = table.assign(margin=table["margin"].where(table["dimension"] == v.OVERALL))
    table = table[[name for name, _, _ in _HISTORY_FIELDS]].sort_values(
        ["indicator_code", "fiscal_year", "dimension", "category"]
    )
    structure = plan.nodes[[name for name, _, _ in _STRUCTURE_FIELDS]]
    resources = [
        *_write_resource(directory, "plan", table, _HISTORY_FIELDS, f"{plan.title} 全指標の実績"),
        *_write_resource(directory, "structure", structure, _STRUCTURE_FIELDS, f"{plan.title} 体系"),
    ]
    for code, rows in table.groupby("indicator_code", sort=True):
        resources += _write_resource(directory, f"indicator-{slug(code)}", rows, _HISTORY_FIELDS, f"{code} の実績")
    package = {
        "name": f"kawanishi-{read_municipality_code()}-participation",
        "title": plan.title,
        "licenses": [_LICENSE],
        "municipality_code": read_municipality_code(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "resources": [{key: value for key, value in resource.items() if key != "label"} for resource in resources],
    }
    (directory.parent / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return resources


def _write_resource(directory: Path, name: str, frame: pd.DataFrame, fields: list, label: str) -> list[dict]:
    schema = {"fields": [{"name": column, "type": kind, "title": title} for column, kind, title in fields]}
    frame = frame.astype({column: "Int64" for column, kind, _ in fields if kind == "integer"})
    protect_csv_text(frame).to_csv(directory / f"{name}.csv", index=False, encoding="utf-8-sig")
    records = json.loads(frame.to_json(orient="records", force_ascii=False))
    (directory / f"{name}.json").write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    return [
        {
            "name": f"{name}-{suffix}",
            "path": f"data/{name}.{suffix}",
            "format": suffix,
            "mediatype": media,
            "encoding": "utf-8-sig" if suffix == "csv" else "utf-8",
            "licenses": [_LICENSE],
            "schema": schema,
            "label": label,
        }
        for suffix, media in (("csv", "text/csv"), ("json", "application/json"))
    ]


def _write_sitemap(root: Path, base_url: str, paths: list[str]) -> None:
    base = base_url.rstrip("/")
    urls = "".join(f"<url><loc>{escape(base)}/{escape(path)}</loc></url>" for path in sorted(paths))
    (root / "sitemap.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n',
        encoding="utf-8",
    )
