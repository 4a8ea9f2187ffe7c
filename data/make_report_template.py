"""Make data/report_template.pptx, the reports' default PowerPoint template: python-pptx's own, widened to 16:9."""

from pathlib import Path

from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.util import Inches

OUTPUT = Path(__file__).resolve().parent / "report_template.pptx"
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.45)  # the reports' own side margin, so that titles line up with what is under them


def make_template(output: Path = OUTPUT) -> None:
    """Stretch the master's and layouts' placeholders sideways to 16:9 and lift the master title, so that
    the slides have room under it; a city replaces this file with its own (see README, Reports)."""
    deck = Presentation()
    stretch = WIDTH / deck.slide_width
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    master = deck.slide_master
    for shape in [*master.shapes, *(p for layout in deck.slide_layouts for p in layout.placeholders)]:
        # Only shapes with their own position: the others inherit the master's.
        if shape._element.xpath("./p:spPr/a:xfrm"):
            shape.left, shape.width = int(shape.left * stretch), int(shape.width * stretch)
    title = next(shape for shape in master.placeholders if shape.placeholder_format.type == PP_PLACEHOLDER.TITLE)
    title.left, title.top, title.width, title.height = MARGIN, Inches(0.25), WIDTH - 2 * MARGIN, Inches(1.0)
    deck.save(output)


if __name__ == "__main__":
    make_template()
