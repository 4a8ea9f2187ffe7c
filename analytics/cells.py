"""Reading one cell as a fiscal year, a number or a code, the many ways Japanese spreadsheets write them."""

import re
import unicodedata
from datetime import date

_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ーｰ", "-"))
_ERA_START = {"令和": 2019, "R": 2019, "平成": 1989, "H": 1989}
_ERA_YEAR = re.compile(r"^(令和|平成|R|H)(元|\d{1,2})(?:年度?)?(?:\((\d{4})\))?(?:年度)?$")
_WESTERN_YEAR = re.compile(r"^(\d{4})(?:年度?)?$")
_ERALESS_YEAR = re.compile(r"^(元|\d{1,2})年度?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# How hand-kept tables mark a year with no survey: a dash of any width, or the words.
_NOT_SURVEYED = {"-", "未調査", "調査なし"}
_ERALESS_MESSAGE = "元号がないため、令和か平成か判別できません。「令和6年度」のように元号を付けるか、「2024」のように西暦で書いてください"


class CellError(ValueError):
    """A cell whose content cannot be read; the message says, in Japanese, how to write it."""


def normalise_text(value: object) -> str:
    """Half-width, trimmed text with one kind of dash, so 「１－①」 and 「1-①」 compare equal.

    NFKC would turn ① into 1; circled digits are kept as they are because codes use them.
    """
    text = "" if value is None else str(value)
    kept = "".join(ch if "①" <= ch <= "⑳" else unicodedata.normalize("NFKC", ch) for ch in text)
    return re.sub(r"\s+", "", kept.translate(_DASHES))


def parse_fiscal_year(value: object) -> int:
    """A fiscal year from 2024, 「2024年度」, 「令和6年度」, 「R6」, 「H30」, 「令和元年度」 or 「令和6(2024)年度」."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if 1000 <= value <= 9999:
            return value
        raise CellError("年度は「2024」または「令和6年度」のように書いてください（元号のない年数は判別できません）")
    if isinstance(value, date):
        raise CellError(
            "日付が入っています。年度は「2024」や「令和6年度」のように、セルの書式を「文字列」か「標準」にして入力してください"
        )
    text = normalise_text(value).upper().replace("（", "(").replace("）", ")")
    if _ERALESS_YEAR.match(text):
        raise CellError(_ERALESS_MESSAGE)
    if match := _WESTERN_YEAR.match(text):
        return int(match.group(1))
    if match := _ERA_YEAR.match(text):
        era, number, western = match.groups()
        year = _ERA_START[era] + (0 if number == "元" else int(number) - 1)
        if western and int(western) != year:
            raise CellError(f"元号の年と西暦（{western}）が一致しません。どちらかを直してください")
        return year
    raise CellError("年度として読めません。「2024」「2024年度」「令和6年度」「R6」のように書いてください")


def parse_number(value: object) -> float:
    """A number from a numeric cell or from text such as 「45.2」, 「４５．２」, 「45.2%」 or 「1,234」."""
    if isinstance(value, bool):
        raise CellError("数値を入力してください")
    if isinstance(value, int | float):
        return float(value)
    text = normalise_text(value).replace(",", "").removesuffix("%")
    if not _NUMBER.match(text):
        raise CellError("数値ではありません。数字だけを入力してください")
    return float(text)


def is_blank(value: object) -> bool:
    """True for an empty cell or one holding only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def is_not_surveyed(value: object) -> bool:
    """True for a cell that says the year was not surveyed: 「－」「―」「-」「未調査」."""
    return isinstance(value, str) and normalise_text(value) in _NOT_SURVEYED
